import { Alert, Box, Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Link } from 'react-admin';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { QueueStats } from '@backchannel/client/admin';
import { useApiQuery } from '../common/useApi';
import { errorMessage } from '../lib/errors';
import { formatMinutes } from '../lib/format';

const PALETTE = ['#1976d2', '#2e7d32', '#ed6c02', '#6a1b9a', '#00838f', '#d32f2f', '#5d4037', '#c2185b'];

const casesFilter = (filter: Record<string, unknown>) =>
    `/cases?filter=${encodeURIComponent(JSON.stringify(filter))}&sort=priority&order=DESC`;

/** What the handled-per-day chart shows, in a sentence (its accessible name). */
export function handledSummary(stats: QueueStats): string {
    const total = stats.moderators.reduce((n, m) => n + m.total, 0);
    if (total === 0) return `Reports handled per day per moderator over the last ${stats.days.length} days: none.`;
    const people = stats.moderators.map(m => `${m.displayName} ${m.total}`).join(', ');
    return `Reports handled per day per moderator over the last ${stats.days.length} days: ${total} in all (${people}).`;
}

const Figure = ({ label, value, to, testId }: { label: string; value: string; to?: string; testId: string }) => (
    <Card variant="outlined" data-testid={testId}>
        <CardContent>
            <Typography variant="overline" color="text.secondary">
                {label}
            </Typography>
            <Typography variant="h4">{to ? <Link to={to}>{value}</Link> : value}</Typography>
        </CardContent>
    </Card>
);

/** Moderators and admins: the team's queue (GET /admin/v1/queue-stats): what waits, for how long, and who handled what. */
export const QueueStatsPanel = () => {
    const query = useApiQuery<QueueStats>('queue-stats', dp => dp.queueStats());
    const stats = query.data;
    if (query.error) return <Alert severity="error">Could not load the queue statistics: {errorMessage(query.error)}</Alert>;
    if (!stats) return null;
    const rows = stats.days.map((day, i) => ({
        day,
        ...Object.fromEntries(stats.moderators.map(m => [m.staffId, m.perDay[i]?.handled ?? 0])),
    }));
    const summary = handledSummary(stats);
    return (
        <Box component="section" aria-label="Queue statistics" sx={{ mb: 2 }} data-testid="queue-stats">
            <Typography variant="h5" component="h2" sx={{ mb: 2 }}>
                The team's queue
            </Typography>
            <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr 1fr', md: 'repeat(3, 1fr)' }, gap: 2, mb: 2 }}>
                <Figure label="Open cases" value={String(stats.openCases)} to={casesFilter({ status: 'open' })} testId="queue-open-cases" />
                <Figure
                    label="Unresolved reports"
                    value={`${stats.openReports}${stats.escalatedReports ? ` (${stats.escalatedReports} escalated)` : ''}`}
                    testId="queue-open-reports"
                />
                <Figure
                    label="Oldest waiting"
                    value={stats.oldestOpenHours === null ? 'Nothing waits' : formatMinutes(stats.oldestOpenHours * 60)}
                    to={stats.oldestOpenCaseId ? `/cases/${encodeURIComponent(stats.oldestOpenCaseId)}/show` : undefined}
                    testId="queue-oldest"
                />
            </Box>
            <Card variant="outlined">
                <CardContent>
                    <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }} gutterBottom>
                        Reports handled per day per moderator
                    </Typography>
                    <Box role="img" aria-label={summary} sx={{ height: 240 }}>
                        <ResponsiveContainer width="100%" height="100%">
                            <BarChart data={rows} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
                                <CartesianGrid strokeDasharray="3 3" />
                                <XAxis dataKey="day" />
                                <YAxis allowDecimals={false} />
                                <Tooltip />
                                <Legend />
                                {stats.moderators.map((m, i) => (
                                    <Bar
                                        key={m.staffId}
                                        isAnimationActive={false}
                                        dataKey={m.staffId}
                                        stackId="handled"
                                        name={m.displayName}
                                        fill={PALETTE[i % PALETTE.length]}
                                    />
                                ))}
                            </BarChart>
                        </ResponsiveContainer>
                    </Box>
                    <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
                        {summary}
                    </Typography>
                    {stats.moderators.length > 0 && (
                        <details>
                            <summary>
                                <Typography variant="body2" component="span">
                                    Reports handled: the figures as a table
                                </Typography>
                            </summary>
                            <Table size="small" aria-label="Reports handled per moderator">
                                <TableHead>
                                    <TableRow>
                                        <TableCell>Moderator</TableCell>
                                        {stats.days.map(d => (
                                            <TableCell key={d} align="right">
                                                {d.slice(5)}
                                            </TableCell>
                                        ))}
                                        <TableCell align="right">Total</TableCell>
                                    </TableRow>
                                </TableHead>
                                <TableBody>
                                    {stats.moderators.map(m => (
                                        <TableRow key={m.staffId}>
                                            <TableCell component="th" scope="row">
                                                {m.displayName}
                                            </TableCell>
                                            {m.perDay.map(d => (
                                                <TableCell key={d.day} align="right">
                                                    {d.handled}
                                                </TableCell>
                                            ))}
                                            <TableCell align="right">{m.total}</TableCell>
                                        </TableRow>
                                    ))}
                                </TableBody>
                            </Table>
                        </details>
                    )}
                </CardContent>
            </Card>
        </Box>
    );
};
