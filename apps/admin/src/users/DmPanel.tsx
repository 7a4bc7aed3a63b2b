import {
    Alert,
    Box,
    Button,
    FormControlLabel,
    LinearProgress,
    Stack,
    Switch,
    Table,
    TableBody,
    TableCell,
    TableHead,
    TableRow,
    TextField,
    Typography,
} from '@mui/material';
import { useState } from 'react';
import type { Identifier } from 'react-admin';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DmStats, SentRequest, UserHistory, UserRecord } from '@backchannel/client/admin';
import { Section } from '../common/Section';
import { useApiQuery, useBackchannel, useRunner } from '../common/useApi';
import { errorMessage } from '../lib/errors';

const TOTALS: { key: Exclude<keyof DmStats, 'byDay'>; label: string }[] = [
    { key: 'sent', label: 'Messages sent' },
    { key: 'received', label: 'Messages received' },
    { key: 'conversationsStarted', label: 'Conversations started' },
    { key: 'requestsSent', label: 'Requests sent' },
    { key: 'requestsDeclined', label: 'Requests declined' },
    { key: 'requestsReported', label: 'Requests reported' },
];

/** GET /admin/v1/users/:id/dm-stats: totals and a bar chart of the 30 days. */
const DmStatsChart = ({ userId }: { userId: Identifier }) => {
    const stats = useApiQuery<DmStats>(`dm-stats:${userId}`, dp => dp.dmStats(userId));
    if (stats.isPending) return <LinearProgress aria-label="Loading DM statistics" />;
    if (stats.error || !stats.data) return <Alert severity="error">{errorMessage(stats.error)}</Alert>;
    const data = stats.data.byDay.map(d => ({ ...d, label: d.day.slice(5) }));
    return (
        <Box>
            <Table size="small" aria-label="DM totals, last 30 days">
                <TableBody>
                    {TOTALS.map(t => (
                        <TableRow key={t.key}>
                            <TableCell component="th" scope="row">
                                {t.label}
                            </TableCell>
                            <TableCell align="right">{stats.data![t.key]}</TableCell>
                        </TableRow>
                    ))}
                </TableBody>
            </Table>
            <Box role="img" aria-label="Messages and requests sent per day, last 30 days" sx={{ height: 220, mt: 2 }}>
                <ResponsiveContainer width="100%" height="100%">
                    <BarChart data={data} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
                        <CartesianGrid strokeDasharray="3 3" vertical={false} />
                        <XAxis dataKey="label" interval={4} tick={{ fontSize: 11 }} />
                        <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
                        <Tooltip />
                        <Legend />
                        <Bar isAnimationActive={false} dataKey="sent" name="Messages sent" fill="#1976d2" />
                        <Bar isAnimationActive={false} dataKey="requestsSent" name="Requests sent" fill="#ed6c02" />
                    </BarChart>
                </ResponsiveContainer>
            </Box>
            <Typography variant="caption" color="text.secondary">
                Direct and group conversations over the last 30 days (UTC), today included. Counts only: reading this shows no message text.
            </Typography>
        </Box>
    );
};

/** PUT / DELETE /admin/v1/users/:id/dm-access: the switch, with the note that goes to the audit log. */
const DmAccessToggle = ({ user, onDone }: { user: UserRecord; onDone: () => void }) => {
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const [note, setNote] = useState('');
    const on = user.dmAccessRevokedAt === null;
    const toggle = async () => {
        const result = await run('dm-access', () => dataProvider.setDmAccess(user.id, { on: !on, note: note.trim() }), {
            success: on ? 'DM access switched off' : 'DM access switched back on',
        });
        if (result !== undefined) {
            setNote('');
            onDone();
        }
    };
    return (
        <Stack spacing={1}>
            <FormControlLabel
                control={<Switch checked={on} onChange={toggle} disabled={!!pending} />}
                label="Can start conversations (DM access)"
            />
            <Typography variant="body2" color="text.secondary">
                {on
                    ? 'Switching it off stops this person starting conversations or adding people; they can still read and reply where they already chat.'
                    : `Off since ${new Date(user.dmAccessRevokedAt!).toLocaleString()}: they can reply in existing conversations only.`}
            </Typography>
            <TextField
                size="small"
                label="Note for the audit log"
                value={note}
                onChange={e => setNote(e.target.value)}
                slotProps={{ htmlInput: { maxLength: 2000 } }}
            />
        </Stack>
    );
};

const startedConversations = (history: UserHistory | undefined): SentRequest[] => history?.recentRequests ?? [];

/** POST / DELETE /admin/v1/conversations/:id/lock for one conversation. */
export const LockButton = ({ conversationId, locked, onDone }: { conversationId: Identifier; locked: boolean; onDone?: () => void }) => {
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const click = async () => {
        await run(
            'lock',
            () =>
                dataProvider.setConversationLock(conversationId, {
                    locked: !locked,
                    note: locked ? 'Unlocked from the console' : 'Locked from the console',
                    // The state this row shows: if someone changed it since, the API refuses (409) instead of acting unseen.
                    expectLocked: locked,
                }),
            { success: locked ? 'Conversation unlocked' : 'Conversation locked' },
        );
        // Re-read after a refusal too: a 409 means the row showed a state that is no longer true.
        onDone?.();
    };
    return (
        <Button size="small" variant={locked ? 'outlined' : 'contained'} color="warning" onClick={click} disabled={!!pending}>
            {locked ? 'Unlock' : 'Lock'}
        </Button>
    );
};

/** The user page's direct-messages section: DM statistics, the DM-access switch, and locks on conversations they started. */
export const DmPanel = ({ user, history, onChange }: { user: UserRecord; history: UserHistory | undefined; onChange: () => void }) => {
    const started = startedConversations(history);
    return (
        <Section title="Direct messages" testId="user-dm">
            <Stack spacing={3}>
                <DmStatsChart userId={user.id} />
                <DmAccessToggle user={user} onDone={onChange} />
                <Box>
                    <Typography variant="subtitle2" gutterBottom>
                        Requests they started
                    </Typography>
                    {started.length === 0 ? (
                        <Typography variant="body2" color="text.secondary">
                            No message requests to strangers recently.
                        </Typography>
                    ) : (
                        <Table size="small" aria-label="Requests they started">
                            <TableHead>
                                <TableRow>
                                    <TableCell>Started</TableCell>
                                    <TableCell>With</TableCell>
                                    <TableCell>State</TableCell>
                                    <TableCell />
                                </TableRow>
                            </TableHead>
                            <TableBody>
                                {started.map(c => (
                                    <TableRow key={c.conversationId}>
                                        <TableCell>{c.createdAt ? new Date(c.createdAt).toLocaleString() : '—'}</TableCell>
                                        <TableCell>
                                            {c.recipients.map(r => (r.handle ? `@${r.handle}` : 'a deleted account')).join(', ')}
                                        </TableCell>
                                        <TableCell>{c.locked ? 'Locked' : 'Open'}</TableCell>
                                        <TableCell align="right">
                                            <LockButton conversationId={c.conversationId} locked={c.locked} onDone={onChange} />
                                        </TableCell>
                                    </TableRow>
                                ))}
                            </TableBody>
                        </Table>
                    )}
                </Box>
            </Stack>
        </Section>
    );
};
