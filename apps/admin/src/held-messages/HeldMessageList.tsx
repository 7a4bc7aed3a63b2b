import { Box, Button, Chip, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { DateField, List, RecordContextProvider, TextField, useListContext, useNotify, useRefresh } from 'react-admin';
import { useBackchannel, useCan } from '../common/useApi';
import { errorMessage } from '../lib/errors';
import { isTypingTarget, moveCursor } from '../lib/shortcuts';
import type { HeldMessage as Held } from '@backchannel/client/admin';

/** Keyboard: j / k move, a approves, x rejects the selected message (moderator). */
const HELP = 'j / k: next / previous · a: approve · x: reject';

const Queue = () => {
    const { data = [], isPending } = useListContext<Held>();
    const dataProvider = useBackchannel();
    const notify = useNotify();
    const refresh = useRefresh();
    const canDecide = useCan('held-messages', 'decide');
    const [cursor, setCursor] = useState(0);
    const [busy, setBusy] = useState(false);

    const decide = async (row: Held | undefined, decision: 'approve' | 'reject') => {
        if (!row || busy || !canDecide) return;
        setBusy(true);
        try {
            if (decision === 'approve') await dataProvider.approveHeld(row.id);
            else await dataProvider.rejectHeld(row.id, {});
            notify(decision === 'approve' ? 'Approved: delivered' : 'Rejected: removed', { type: 'info' });
        } catch (err) {
            notify(errorMessage(err), { type: 'error' });
        } finally {
            setBusy(false);
            refresh();
        }
    };

    useEffect(() => {
        const onKey = (e: KeyboardEvent) => {
            if (e.defaultPrevented || e.repeat || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target as HTMLElement)) return;
            if (e.key === 'j') setCursor(c => moveCursor(c, data.length, 1));
            else if (e.key === 'k') setCursor(c => moveCursor(c, data.length, -1));
            else if (e.key === 'a') void decide(data[cursor], 'approve');
            else if (e.key === 'x') void decide(data[cursor], 'reject');
        };
        window.addEventListener('keydown', onKey);
        return () => window.removeEventListener('keydown', onKey);
    });

    if (isPending) return null;
    if (data.length === 0)
        return (
            <Typography sx={{ p: 2 }} data-testid="held-empty">
                Nothing is held.
            </Typography>
        );
    return (
        <Stack spacing={1} sx={{ p: 1 }}>
            <Typography variant="caption" color="text.secondary">
                {HELP}
            </Typography>
            {data.map((row, i) => (
                <RecordContextProvider key={row.id} value={row}>
                    <Box
                        data-testid={`held-${row.id}`}
                        onClick={() => setCursor(i)}
                        sx={{ p: 1.5, border: 2, borderRadius: 1, borderColor: i === cursor ? 'primary.main' : 'divider' }}
                    >
                        <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                            <Typography variant="subtitle2">@{row.senderHandle ?? row.senderId}</Typography>
                            <Chip size="small" label={row.conversationKind} />
                            {row.rules.map(r => (
                                <Chip key={`${r.id}-${r.pattern}`} size="small" color="warning" label={`${r.name}: ${r.pattern}`} />
                            ))}
                            <Box sx={{ flex: 1 }} />
                            <DateField source="createdAt" showTime />
                        </Stack>
                        <TextField source="text" component="p" sx={{ whiteSpace: 'pre-wrap', my: 1 }} />
                        {canDecide && (
                            <Stack direction="row" spacing={1}>
                                <Button
                                    size="small"
                                    variant="contained"
                                    disabled={busy}
                                    onClick={() => decide(row, 'approve')}
                                    data-testid={`held-approve-${row.id}`}
                                >
                                    Approve (a)
                                </Button>
                                <Button
                                    size="small"
                                    color="error"
                                    disabled={busy}
                                    onClick={() => decide(row, 'reject')}
                                    data-testid={`held-reject-${row.id}`}
                                >
                                    Reject (x)
                                </Button>
                            </Stack>
                        )}
                    </Box>
                </RecordContextProvider>
            ))}
        </Stack>
    );
};

export const HeldMessageList = () => (
    <List sort={{ field: 'createdAt', order: 'ASC' }} perPage={25} exporter={false} empty={false} title="Held messages">
        <Queue />
    </List>
);
