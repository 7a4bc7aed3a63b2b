import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@mui/material';
import { useEffect, useState, type FormEvent } from 'react';

export const EscalateDialog = ({
    open,
    onClose,
    onEscalate,
    pending,
}: {
    open: boolean;
    onClose: () => void;
    onEscalate: (note: string) => Promise<unknown>;
    pending: boolean;
}) => {
    const [note, setNote] = useState('');
    useEffect(() => {
        if (open) setNote('');
    }, [open]);
    const submit = async (event: FormEvent) => {
        event.preventDefault();
        const result = await onEscalate(note.trim());
        if (result !== undefined) onClose();
    };
    return (
        <Dialog open={open} onClose={pending ? undefined : onClose} fullWidth maxWidth="sm" data-testid="escalate-dialog">
            <form onSubmit={submit} noValidate>
                <DialogTitle>Escalate report</DialogTitle>
                <DialogContent>
                    <DialogContentText sx={{ mb: 2 }}>
                        Escalated reports go to senior moderators. Say what needs a second look.
                    </DialogContentText>
                    <TextField
                        label="Note"
                        value={note}
                        onChange={event => setNote(event.target.value)}
                        multiline
                        minRows={3}
                        fullWidth
                        autoFocus
                        slotProps={{ htmlInput: { 'data-testid': 'escalate-note', name: 'note', maxLength: 2000 } }}
                    />
                </DialogContent>
                <DialogActions>
                    <Button onClick={onClose} disabled={pending}>
                        Cancel
                    </Button>
                    <Button type="submit" variant="contained" color="warning" disabled={pending} data-testid="escalate-submit">
                        Escalate
                    </Button>
                </DialogActions>
            </form>
        </Dialog>
    );
};
