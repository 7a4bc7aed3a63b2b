import {
    Box,
    Button,
    Chip,
    Dialog,
    DialogActions,
    DialogContent,
    DialogContentText,
    DialogTitle,
    Stack,
    TextField as MuiTextField,
    Typography,
} from '@mui/material';
import { useEffect, useState } from 'react';
import { DateField, List, RecordContextProvider, TextField, useGetList, useListContext, useNotify, useRefresh } from 'react-admin';
import type { HeldMessage as Held, HeldRejectBody, Policy } from '@backchannel/client/admin';
import { useBackchannel, useCan } from '../common/useApi';
import { errorMessage } from '../lib/errors';
import { recipientsLine } from '../lib/held';
import { isTypingTarget, moveCursor } from '../lib/shortcuts';

/** Keyboard: j / k move, a approves, x asks to reject the selected message (moderator). */
const HELP = 'j / k: next / previous · a: approve · x: reject (asks first: a rejection gives a strike)';

/** The policy and severity a rejection names: the first holding rule's (none: `other`), at its severity or the policy's first. */
function rejectionPolicy(row: Held, policies: readonly Policy[]) {
    const rule = row.rules.find(r => r.policy);
    const policy = policies.find(p => p.key === (rule?.policy ?? 'other'));
    const severity = policy?.severities.find(s => s.key === rule?.severity) ?? policy?.severities[0];
    return { policy, severity };
}

/**
 * Rejecting gives the sender a strike, a notice and a statement of reasons at once, so it is
 * never one keypress: this dialog names the consequence and starts on Cancel.
 */
const RejectDialog = ({
    row,
    policies,
    busy,
    onCancel,
    onConfirm,
}: {
    row: Held | null;
    policies: readonly Policy[];
    busy: boolean;
    onCancel: () => void;
    onConfirm: (row: Held, body: HeldRejectBody) => void;
}) => {
    const [note, setNote] = useState('');
    useEffect(() => setNote(''), [row?.id]);
    if (!row) return null;
    const { policy, severity } = rejectionPolicy(row, policies);
    const strikes = severity?.strikes ?? 0;
    return (
        <Dialog open onClose={busy ? undefined : onCancel} aria-labelledby="reject-title" fullWidth maxWidth="sm">
            <DialogTitle id="reject-title">Reject this message from @{row.senderHandle ?? row.senderId}?</DialogTitle>
            <DialogContent>
                <DialogContentText data-testid="reject-consequence">
                    The message is removed and never delivered. @{row.senderHandle ?? row.senderId} gets{' '}
                    {strikes === 1 ? 'a strike' : `${strikes} strikes`} under the policy “{policy?.title ?? policy?.key ?? 'Other'}”
                    {severity ? ` (severity ${severity.key}, for ${severity.expiryDays} days)` : ''} and a notice with a statement of
                    reasons.
                </DialogContentText>
                <MuiTextField
                    label="Note for the audit log (optional)"
                    value={note}
                    onChange={e => setNote(e.target.value)}
                    fullWidth
                    size="small"
                    sx={{ mt: 2 }}
                    slotProps={{ htmlInput: { maxLength: 2000 } }}
                />
            </DialogContent>
            <DialogActions>
                <Button autoFocus onClick={onCancel} disabled={busy}>
                    Cancel
                </Button>
                <Button
                    color="error"
                    variant="contained"
                    disabled={busy}
                    onClick={() => onConfirm(row, { note: note.trim() || undefined, policy: policy?.key, severity: severity?.key })}
                >
                    Reject and give a strike
                </Button>
            </DialogActions>
        </Dialog>
    );
};

const Queue = () => {
    const { data = [], isPending } = useListContext<Held>();
    const dataProvider = useBackchannel();
    const notify = useNotify();
    const refresh = useRefresh();
    const canDecide = useCan('held-messages', 'decide');
    const [cursor, setCursor] = useState(0);
    const [busy, setBusy] = useState(false);
    const [rejecting, setRejecting] = useState<Held | null>(null);
    const policies = useGetList<Policy>('policies', { pagination: { page: 1, perPage: 100 }, sort: { field: 'key', order: 'ASC' } });

    const decide = async (row: Held | undefined, decision: 'approve' | 'reject', body: HeldRejectBody = {}) => {
        if (!row || busy || !canDecide) return;
        setBusy(true);
        try {
            if (decision === 'approve') await dataProvider.approveHeld(row.id);
            else await dataProvider.rejectHeld(row.id, body);
            notify(decision === 'approve' ? 'Approved: delivered' : 'Rejected: removed, and the sender was given a strike', {
                type: 'info',
            });
        } catch (err) {
            notify(errorMessage(err), { type: 'error' });
        } finally {
            setBusy(false);
            setRejecting(null);
            refresh();
        }
    };
    /** Rejecting always asks first (RejectDialog). */
    const askReject = (row: Held | undefined) => {
        if (row && canDecide && !busy) setRejecting(row);
    };

    useEffect(() => {
        const onKey = (e: KeyboardEvent) => {
            if (rejecting) return;
            if (e.defaultPrevented || e.repeat || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target as HTMLElement)) return;
            if (e.key === 'j') setCursor(c => moveCursor(c, data.length, 1));
            else if (e.key === 'k') setCursor(c => moveCursor(c, data.length, -1));
            else if (e.key === 'a') void decide(data[cursor], 'approve');
            else if (e.key === 'x') askReject(data[cursor]);
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
                        <Typography variant="body2" component="div" color="text.secondary" data-testid={`held-recipients-${row.id}`}>
                            {recipientsLine(row)}
                        </Typography>
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
                                    onClick={() => askReject(row)}
                                    data-testid={`held-reject-${row.id}`}
                                >
                                    Reject (x)
                                </Button>
                            </Stack>
                        )}
                    </Box>
                </RecordContextProvider>
            ))}
            <RejectDialog
                row={rejecting}
                policies={policies.data ?? []}
                busy={busy}
                onCancel={() => setRejecting(null)}
                onConfirm={(row, body) => void decide(row, 'reject', body)}
            />
        </Stack>
    );
};

export const HeldMessageList = () => (
    <List sort={{ field: 'createdAt', order: 'ASC' }} perPage={25} exporter={false} empty={false} title="Held messages">
        <Queue />
    </List>
);
