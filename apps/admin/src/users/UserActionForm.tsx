import { Alert, Button, Stack } from '@mui/material';
import { useEffect, useState, type FormEvent } from 'react';
import { useGetList, type Identifier } from 'react-admin';
import type { Policy } from '@backchannel/client/admin';
import { ActionFormFields } from '../common/ActionFormFields';
import { PolicyFields, type PolicyChoice } from '../common/PolicyFields';
import { defaultPolicyKey, severityFor } from '../lib/policies';
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

/** POST /admin/v1/users/:id/actions {action, durationHours?, note, policy, severity} */
export const UserActionForm = ({ userId, suggested, onDone }: { userId: Identifier; suggested?: unknown; onDone?: () => void }) => {
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const parsed = parseSuggestedAction(suggested);
    const initial = () => initialResolveState(parsed && isUserAction(parsed.action) ? parsed : 'warn');
    const [form, setForm] = useState<ResolveFormState>(initial);
    const [error, setError] = useState<string | null>(null);
    const policies = useGetList<Policy>('policies', { pagination: { page: 1, perPage: 100 }, sort: { field: 'key', order: 'ASC' } });
    const policyList = policies.data ?? [];
    const [choice, setChoice] = useState<PolicyChoice>({ policy: '', severity: '' });
    // A direct action has no report: it starts from `other` at its first severity.
    useEffect(() => {
        if (policyList.length === 0 || policyList.some(p => p.key === choice.policy)) return;
        const key = defaultPolicyKey(policyList, null);
        setChoice({ policy: key, severity: severityFor(policyList.find(p => p.key === key)) });
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [policyList.length]);

    const submit = async (event: FormEvent) => {
        event.preventDefault();
        const problem = validateActionForm(form, USER_ACTIONS);
        if (problem) {
            setError(problem);
            return;
        }
        if (!choice.policy || !choice.severity) {
            setError('Choose a policy and a severity');
            return;
        }
        const body = { ...buildActionPayload(form), policy: choice.policy, severity: choice.severity };
        const result = await run('action', () => dataProvider.userAction(userId, body), {
            success: 'Action applied',
        });
        if (result !== undefined) {
            setForm(initial());
            onDone?.();
        }
    };

    return (
        <form onSubmit={submit} noValidate data-testid="user-action-form">
            {policyList.length > 0 && (
                <PolicyFields
                    policies={policyList}
                    value={choice}
                    onChange={value => {
                        setError(null);
                        setChoice(value);
                    }}
                    testIdPrefix="user-action"
                    disabled={!!pending}
                />
            )}
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
