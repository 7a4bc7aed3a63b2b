import { Button, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import type { AppealDecision as Decision, StaffAppeal } from '@backchannel/client/admin';
import { useRecordContext } from 'react-admin';
import { useBackchannel, useCan, useRunner } from '../common/useApi';

/** POST /admin/v1/appeals/:id/decide {decision: 'upheld'|'denied', note} */
export const AppealDecision = () => {
    const record = useRecordContext<StaffAppeal>();
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const canDecide = useCan('appeals', 'decide');
    const [note, setNote] = useState('');
    if (!record) return null;
    if (record.status !== 'open') {
        return (
            <Typography variant="body2" color="text.secondary">
                Decided ({String(record.status)}){record.decidedAt ? ` on ${new Date(String(record.decidedAt)).toLocaleString()}` : ''}.
            </Typography>
        );
    }
    if (!canDecide) {
        return (
            <Typography variant="body2" color="text.secondary">
                Awaiting a moderator’s decision.
            </Typography>
        );
    }
    const decide = (decision: Decision) =>
        run(decision, () => dataProvider.decideAppeal(record.id, { decision, note: note.trim() }), {
            success: decision === 'upheld' ? 'Appeal upheld: the action is lifted' : 'Appeal denied',
        });
    return (
        <Stack spacing={2} data-testid="appeal-decision">
            <TextField
                label="Note to the user / audit log"
                value={note}
                onChange={event => setNote(event.target.value)}
                multiline
                minRows={2}
                fullWidth
                slotProps={{ htmlInput: { 'data-testid': 'appeal-note', name: 'note', maxLength: 2000 } }}
            />
            <Stack direction="row" spacing={1}>
                <Button
                    variant="contained"
                    color="success"
                    disabled={!!pending}
                    onClick={() => void decide('upheld')}
                    data-testid="appeal-uphold"
                >
                    Uphold appeal (lift action)
                </Button>
                <Button
                    variant="outlined"
                    color="error"
                    disabled={!!pending}
                    onClick={() => void decide('denied')}
                    data-testid="appeal-deny"
                >
                    Deny appeal
                </Button>
            </Stack>
        </Stack>
    );
};
