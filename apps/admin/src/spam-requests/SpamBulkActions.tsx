import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle } from '@mui/material';
import BlockIcon from '@mui/icons-material/Block';
import VolumeOffIcon from '@mui/icons-material/VolumeOff';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { SpamRequest } from '@backchannel/client/admin';
import { useListContext, useNotify, useRefresh } from 'react-admin';
import { ActionFormFields } from '../common/ActionFormFields';
import { useBackchannel } from '../common/useApi';
import { errorMessage } from '../lib/errors';
import { buildActionPayload, initialResolveState, validateActionForm, type ResolveFormState, type UserAction } from '../lib/ladder';

/**
 * Restrict or ban the senders of the selected spam-request rows:
 * one POST /admin/v1/users/:senderId/actions per distinct sender.
 */
const SpamActionButton = ({ action, label, icon }: { action: UserAction; label: string; icon: ReactNode }) => {
    const { selectedIds, data, onUnselectItems } = useListContext<SpamRequest>();
    const dataProvider = useBackchannel();
    const notify = useNotify();
    const refresh = useRefresh();
    const [open, setOpen] = useState(false);
    const [pending, setPending] = useState(false);
    const [form, setForm] = useState<ResolveFormState>(() => initialResolveState(action));
    const [error, setError] = useState<string | null>(null);

    const selected = (data ?? []).filter(row => selectedIds.includes(row.id));
    const senderIds = Array.from(new Set(selected.map(row => row.senderId).filter(Boolean)));

    const submit = async (event: FormEvent) => {
        event.preventDefault();
        const problem = validateActionForm(form, [action]);
        if (problem) return setError(problem);
        setPending(true);
        try {
            const { data: outcome } = await dataProvider.bulkUserAction(senderIds, buildActionPayload(form));
            const failed = outcome?.failed ?? [];
            const succeeded = outcome?.succeeded ?? [];
            if (failed.length) {
                const message = `${succeeded.length} sender(s) actioned, ${failed.length} failed: ${failed[0].message}`;
                notify(message, { type: 'warning', messageArgs: { _: message } });
            } else {
                notify(`${succeeded.length} sender(s) actioned`, { type: 'success' });
                setOpen(false);
                onUnselectItems();
            }
            refresh();
        } catch (e) {
            const message = errorMessage(e);
            notify(message, { type: 'error', messageArgs: { _: message } });
        } finally {
            setPending(false);
        }
    };

    return (
        <>
            <Button
                size="small"
                color={action === 'ban' ? 'error' : 'warning'}
                startIcon={icon}
                onClick={() => {
                    setForm(initialResolveState(action));
                    setError(null);
                    setOpen(true);
                }}
                data-testid={`spam-${action}-button`}
            >
                {label}
            </Button>
            <Dialog open={open} onClose={pending ? undefined : () => setOpen(false)} fullWidth maxWidth="sm">
                <form onSubmit={submit} noValidate>
                    <DialogTitle>
                        {label} {senderIds.length} sender{senderIds.length === 1 ? '' : 's'}
                    </DialogTitle>
                    <DialogContent>
                        <DialogContentText>{selected.map(row => `@${row.senderHandle ?? row.senderId}`).join(', ')}</DialogContentText>
                        <ActionFormFields
                            value={form}
                            onChange={value => {
                                setError(null);
                                setForm(value);
                            }}
                            actions={[action]}
                            testIdPrefix="spam-action"
                            showLadder={false}
                            disabled={pending}
                        />
                        {error && (
                            <Alert severity="error" sx={{ mt: 2 }}>
                                {error}
                            </Alert>
                        )}
                    </DialogContent>
                    <DialogActions>
                        <Button onClick={() => setOpen(false)} disabled={pending}>
                            Cancel
                        </Button>
                        <Button
                            type="submit"
                            variant="contained"
                            color="error"
                            disabled={pending || senderIds.length === 0}
                            data-testid="spam-action-submit"
                        >
                            {label}
                        </Button>
                    </DialogActions>
                </form>
            </Dialog>
        </>
    );
};

export const SpamBulkActions = () => (
    <>
        <SpamActionButton action="restrict_messaging" label="Restrict" icon={<VolumeOffIcon />} />
        <SpamActionButton action="ban" label="Ban" icon={<BlockIcon />} />
    </>
);
