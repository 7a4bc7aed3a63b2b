import { Alert, Box, Button, Card, CardContent, LinearProgress, List, ListItem, ListItemText, Typography } from '@mui/material';
import RefreshIcon from '@mui/icons-material/Refresh';
import type { ReactNode } from 'react';
import { Link, Title } from 'react-admin';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useApiQuery, useRole } from '../common/useApi';
import { atLeast } from '../lib/roles';
import { QueueStatsPanel } from './QueueStatsPanel';
import { errorMessage } from '../lib/errors';
import { formatMinutes, humanize } from '../lib/format';
import type { ModerationStats as Stats } from '@backchannel/client/admin';

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

const StatCard = ({
    label,
    value,
    testId,
    to,
    danger,
}: {
    label: string;
    value: string;
    testId: string;
    to?: string;
    danger?: boolean;
}) => (
    <Card variant="outlined" data-testid={testId}>
        <CardContent>
            <Typography variant="overline" color="text.secondary">
                {label}
            </Typography>
            <Typography variant="h4" color={danger ? 'error' : 'text.primary'}>
                {to ? <Link to={to}>{value}</Link> : value}
            </Typography>
        </CardContent>
    </Card>
);

const ChartCard = ({ title, children, testId }: { title: string; children: ReactNode; testId: string }) => (
    <Card variant="outlined" data-testid={testId}>
        <CardContent>
            <Typography variant="subtitle1" sx={{ fontWeight: 600 }} gutterBottom>
                {title}
            </Typography>
            {children}
        </CardContent>
    </Card>
);

const reportsFilter = (filter: Record<string, unknown>) =>
    `/reports?filter=${encodeURIComponent(JSON.stringify(filter))}&sort=priority&order=DESC`;

/** GET /admin/v1/stats */
export const Dashboard = () => {
    const query = useApiQuery<Stats>('stats', dp => dp.stats());
    const teamView = atLeast(useRole(), 'moderator');
    const stats: Partial<Stats> = query.data ?? {};
    const openByReason = (Array.isArray(stats.openByReason) ? stats.openByReason : []).map(row => ({
        reason: humanize(row?.reason),
        count: num(row?.count),
    }));
    const verdicts = (Array.isArray(stats.linkVerdictsPerDay) ? stats.linkVerdictsPerDay : []).map(row => ({
        day: String(row?.day ?? ''),
        safe: num(row?.safe),
        suspicious: num(row?.suspicious),
        malicious: num(row?.malicious),
    }));
    const trips = (Array.isArray(stats.pileOnTripsPerDay) ? stats.pileOnTripsPerDay : []).map(row => ({
        day: String(row?.day ?? ''),
        trips: num(row?.trips),
    }));
    const tripsTotal = trips.reduce((sum, row) => sum + row.trips, 0);
    const spammers = Array.isArray(stats.topSpamSenders) ? stats.topSpamSenders : [];
    const openTotal = openByReason.reduce((sum, row) => sum + row.count, 0);
    const overdue = num(stats.overdue);

    return (
        <Box sx={{ mt: 2 }} data-testid="dashboard">
            <Title title="Trust & Safety" />
            <Box sx={{ display: 'flex', alignItems: 'center', mb: 2 }}>
                <Typography variant="h5" sx={{ flex: 1 }}>
                    Queue health
                </Typography>
                <Button startIcon={<RefreshIcon />} onClick={query.refetch} disabled={query.isPending}>
                    Refresh
                </Button>
            </Box>
            {query.isPending && !query.data && <LinearProgress sx={{ mb: 2 }} />}
            {!!query.error && (
                <Alert severity="error" sx={{ mb: 2 }}>
                    Could not load stats: {errorMessage(query.error)}
                </Alert>
            )}
            <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr 1fr', md: 'repeat(4, 1fr)' }, gap: 2, mb: 2 }}>
                <StatCard label="Open reports" value={String(openTotal)} testId="stat-open" to={reportsFilter({ status: 'open' })} />
                <StatCard
                    label="Overdue"
                    value={String(overdue)}
                    testId="stat-overdue"
                    danger={overdue > 0}
                    to={reportsFilter({ overdue: true })}
                />
                <StatCard
                    label="Median first response"
                    value={formatMinutes(stats.medianFirstResponseMinutes)}
                    testId="stat-first-response"
                />
                <StatCard label="Median resolution" value={formatMinutes(stats.medianResolutionMinutes)} testId="stat-resolution" />
            </Box>
            {teamView && <QueueStatsPanel />}
            <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '1fr 1fr' }, gap: 2, mb: 2 }}>
                <ChartCard title="Open reports by reason" testId="chart-open-by-reason">
                    {openByReason.length === 0 ? (
                        <Typography color="text.secondary">No open reports.</Typography>
                    ) : (
                        <ResponsiveContainer width="100%" height={260}>
                            <BarChart data={openByReason} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
                                <CartesianGrid strokeDasharray="3 3" />
                                <XAxis dataKey="reason" />
                                <YAxis allowDecimals={false} />
                                <Tooltip />
                                <Bar isAnimationActive={false} dataKey="count" name="Open" fill="#1976d2" />
                            </BarChart>
                        </ResponsiveContainer>
                    )}
                </ChartCard>
                <ChartCard title="Link verdicts per day" testId="chart-link-verdicts">
                    {verdicts.length === 0 ? (
                        <Typography color="text.secondary">No links scanned recently.</Typography>
                    ) : (
                        <ResponsiveContainer width="100%" height={260}>
                            <BarChart data={verdicts} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
                                <CartesianGrid strokeDasharray="3 3" />
                                <XAxis dataKey="day" />
                                <YAxis allowDecimals={false} />
                                <Tooltip />
                                <Legend />
                                <Bar isAnimationActive={false} dataKey="safe" stackId="v" name="Safe" fill="#2e7d32" />
                                <Bar isAnimationActive={false} dataKey="suspicious" stackId="v" name="Suspicious" fill="#ed6c02" />
                                <Bar isAnimationActive={false} dataKey="malicious" stackId="v" name="Malicious" fill="#d32f2f" />
                            </BarChart>
                        </ResponsiveContainer>
                    )}
                </ChartCard>
            </Box>
            <Box sx={{ mb: 2 }}>
                <ChartCard title="Pile-on breaker trips per day (Limits switched on automatically)" testId="chart-pile-on-trips">
                    {tripsTotal === 0 ? (
                        <Typography color="text.secondary">No pile-ons in the last {trips.length || 14} days.</Typography>
                    ) : (
                        <ResponsiveContainer width="100%" height={200}>
                            <BarChart data={trips} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
                                <CartesianGrid strokeDasharray="3 3" />
                                <XAxis dataKey="day" />
                                <YAxis allowDecimals={false} />
                                <Tooltip />
                                <Bar isAnimationActive={false} dataKey="trips" name="Trips" fill="#6a1b9a" />
                            </BarChart>
                        </ResponsiveContainer>
                    )}
                    <Typography variant="body2" color="text.secondary" data-testid="pile-on-trips-total">
                        {tripsTotal} in the last {trips.length || 14} days
                    </Typography>
                </ChartCard>
            </Box>
            <ChartCard title="Top spam senders" testId="top-spam-senders">
                {spammers.length === 0 ? (
                    <Typography color="text.secondary">No spammy senders right now.</Typography>
                ) : (
                    <List dense disablePadding>
                        {spammers.map((sender, index) => (
                            <ListItem key={String(sender?.senderId ?? index)} disableGutters>
                                <ListItemText
                                    primary={
                                        <Link to={`/users/${encodeURIComponent(String(sender?.senderId ?? ''))}/show`}>
                                            @{String(sender?.handle ?? sender?.senderId ?? 'unknown')}
                                        </Link>
                                    }
                                    secondary={`score ${num(sender?.score).toFixed(2)}`}
                                />
                            </ListItem>
                        ))}
                    </List>
                )}
            </ChartCard>
        </Box>
    );
};
