import { Alert, Button, Stack } from '@mui/material';
import { useState, type FormEvent } from 'react';
import type { Identifier } from 'react-admin';
import { ActionFormFields } from '../common/ActionFormFields';
import { useBackchannel, useRunner } from '../common/useApi';
import {
    buildActionPayload,
    initialResolveState,
    isUserAction,
    parseSuggestedAction,
    USER_ACTIONS,
    validateActionForm,
    type ResolveFormState,
} from '../lib/ladder';

/** POST /admin/v1/users/:id/actions {action, durationHours?, note} */
export const UserActionForm = ({ userId, suggested, onDone }: { userId: Identifier; suggested?: unknown; onDone?: () => void }) => {
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const parsed = parseSuggestedAction(suggested);
    const initial = () => initialResolveState(parsed && isUserAction(parsed.action) ? parsed : 'warn');
    const [form, setForm] = useState<ResolveFormState>(initial);
    const [error, setError] = useState<string | null>(null);

    const submit = async (event: FormEvent) => {
        event.preventDefault();
        const problem = validateActionForm(form, USER_ACTIONS);
        if (problem) {
            setError(problem);
            return;
        }
        const result = await run('action', () => dataProvider.userAction(userId, buildActionPayload(form)), {
            success: 'Action applied',
        });
        if (result !== undefined) {
            setForm(initial());
            onDone?.();
        }
    };

    return (
        <form onSubmit={submit} noValidate data-testid="user-action-form">
            <ActionFormFields
                value={form}
                onChange={value => {
                    setError(null);
                    setForm(value);
                }}
                actions={USER_ACTIONS}
                testIdPrefix="user-action"
                suggested={suggested}
                disabled={!!pending}
            />
            {error && (
                <Alert severity="error" sx={{ mt: 2 }}>
                    {error}
                </Alert>
            )}
            <Stack direction="row" sx={{ mt: 2, justifyContent: 'flex-end' }}>
                <Button type="submit" variant="contained" color="error" disabled={!!pending} data-testid="user-action-submit">
                    Apply action
                </Button>
            </Stack>
        </form>
    );
};
