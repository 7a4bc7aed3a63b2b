import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@mui/material';
import LockOpenIcon from '@mui/icons-material/LockOpen';
import { useState } from 'react';
import type { ModerationAction } from '@backchannel/client/admin';
import { useBackchannel, useCan, useRunner } from '../common/useApi';
import { actionLabel } from '../lib/ladder';
import { isLiftable } from '../lib/describe';

/**
 * "Lift early" for a restriction, suspension or ban still in force (POST /actions/:id/lift).
 * Hidden for other actions, for lifted or ended ones, and for roles that may not lift.
 */
export const LiftButton = ({
    action,
    onLifted,
    size = 'small',
}: {
    action: ModerationAction | undefined;
    onLifted?: () => void;
    size?: 'small' | 'medium';
}) => {
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const allowed = useCan('actions', 'lift');
    const [open, setOpen] = useState(false);
    const [note, setNote] = useState('');
    if (!action || !allowed || !isLiftable(action)) return null;
    const submit = async () => {
        const done = await run('lift', () => dataProvider.liftAction(action.id, { note: note.trim() }), {
            success: 'Action lifted: the account is restored unless another action applies',
        });
        if (done !== undefined) {
            setOpen(false);
            setNote('');
            onLifted?.();
        }
    };
    return (
        <>
            <Button
                size={size}
                variant="outlined"
                color="primary"
                startIcon={<LockOpenIcon />}
                onClick={() => setOpen(true)}
                data-testid="lift-button"
                data-action-id={String(action.id)}
            >
                Lift early
            </Button>
            <Dialog open={open} onClose={pending ? undefined : () => setOpen(false)} fullWidth maxWidth="sm" data-testid="lift-dialog">
                <DialogTitle>Lift this {actionLabel(action.action).toLowerCase()}?</DialogTitle>
                <DialogContent>
                    <DialogContentText sx={{ mb: 2 }}>
                        The account is restored at once, unless another action still applies. The user is told the{' '}
                        {actionLabel(action.action).toLowerCase()} was lifted; your note stays internal.
                    </DialogContentText>
                    <TextField
                        label="Why (internal note)"
                        value={note}
                        onChange={e => setNote(e.target.value)}
                        fullWidth
                        multiline
                        minRows={2}
                        slotProps={{ htmlInput: { 'data-testid': 'lift-note', maxLength: 2000 } }}
                    />
                </DialogContent>
                <DialogActions>
                    <Button onClick={() => setOpen(false)} disabled={!!pending}>
                        Cancel
                    </Button>
                    <Button variant="contained" onClick={() => void submit()} disabled={!!pending} data-testid="lift-submit">
                        {pending ? 'Lifting…' : 'Lift now'}
                    </Button>
                </DialogActions>
            </Dialog>
        </>
    );
};
