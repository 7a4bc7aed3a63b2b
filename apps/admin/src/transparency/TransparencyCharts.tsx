import { Alert, Box, Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Transparency, TransparencyDaily } from '@backchannel/client/admin';
import { useApiQuery } from '../common/useApi';
import { errorMessage } from '../lib/errors';
import { humanize } from '../lib/format';
import { actionsSummary, medianSummary, reasonRows, reasonsOf, reasonsSummary } from '../lib/transparency';

const PALETTE = ['#1976d2', '#d32f2f', '#ed6c02', '#2e7d32', '#6a1b9a', '#00838f', '#5d4037', '#c2185b', '#455a64'];

/**
 * A chart for the eye and the same figures for everyone else: the chart is one image named
 * by a sentence that states what it shows (role="img", aria-label), and the figures follow
 * as a table behind a disclosure.
 */
const ChartFigure = ({ title, summary, table, children }: { title: string; summary: string; table: ReactNode; children: ReactNode }) => (
    <Card variant="outlined" component="section" aria-label={title}>
        <CardContent>
            <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }} gutterBottom>
                {title}
            </Typography>
            <Box role="img" aria-label={summary} sx={{ height: 260 }}>
                {children}
            </Box>
            <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
                {summary}
            </Typography>
            <details>
                <summary>
                    <Typography variant="body2" component="span">
                        {title}: the figures as a table
                    </Typography>
                </summary>
                {table}
            </details>
        </CardContent>
    </Card>
);

const ReportsByReason = ({ daily }: { daily: TransparencyDaily }) => {
    const reasons = reasonsOf(daily);
    const rows = reasonRows(daily);
    return (
        <ChartFigure
            title="Reports by reason over time"
            summary={reasonsSummary(daily)}
            table={
                <Table size="small" aria-label="Reports by reason per day">
                    <TableHead>
                        <TableRow>
                            <TableCell>Day</TableCell>
                            {reasons.map(r => (
                                <TableCell key={r} align="right">
                                    {humanize(r)}
                                </TableCell>
                            ))}
                            <TableCell align="right">All reasons</TableCell>
                        </TableRow>
                    </TableHead>
                    <TableBody>
                        {daily.days.map((d, i) => (
                            <TableRow key={d.day}>
                                <TableCell component="th" scope="row">
                                    {d.day}
                                </TableCell>
                                {reasons.map(r => (
                                    <TableCell key={r} align="right">
                                        {rows[i][r]}
                                    </TableCell>
                                ))}
                                <TableCell align="right">{d.reports.total}</TableCell>
                            </TableRow>
                        ))}
                    </TableBody>
                </Table>
            }
        >
            <ResponsiveContainer width="100%" height="100%">
                <BarChart data={rows} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="day" />
                    <YAxis allowDecimals={false} />
                    <Tooltip />
                    <Legend />
                    {reasons.map((r, i) => (
                        <Bar
                            key={r}
                            isAnimationActive={false}
                            dataKey={r}
                            stackId="reasons"
                            name={humanize(r)}
                            fill={PALETTE[i % PALETTE.length]}
                        />
                    ))}
                </BarChart>
            </ResponsiveContainer>
        </ChartFigure>
    );
};

const ActionsByType = ({ report }: { report: Transparency }) => {
    const rows = Object.entries(report.actions.byAction)
        .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
        .map(([action, count]) => ({ action: humanize(action), key: action, count }));
    return (
        <ChartFigure
            title="Actions by type"
            summary={actionsSummary(report)}
            table={
                <Table size="small" aria-label="Actions by type">
                    <TableHead>
                        <TableRow>
                            <TableCell>Action</TableCell>
                            <TableCell align="right">Taken</TableCell>
                        </TableRow>
                    </TableHead>
                    <TableBody>
                        {rows.map(r => (
                            <TableRow key={r.key}>
                                <TableCell component="th" scope="row">
                                    {r.action}
                                </TableCell>
                                <TableCell align="right">{r.count}</TableCell>
                            </TableRow>
                        ))}
                        <TableRow>
                            <TableCell component="th" scope="row">
                                Of which automated
                            </TableCell>
                            <TableCell align="right">{report.actions.automated}</TableCell>
                        </TableRow>
                    </TableBody>
                </Table>
            }
        >
            <ResponsiveContainer width="100%" height="100%">
                <BarChart data={rows} layout="vertical" margin={{ top: 8, right: 16, left: 24, bottom: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis type="number" allowDecimals={false} />
                    <YAxis type="category" dataKey="action" width={140} />
                    <Tooltip />
                    <Bar isAnimationActive={false} dataKey="count" name="Actions" fill="#d32f2f" />
                </BarChart>
            </ResponsiveContainer>
        </ChartFigure>
    );
};

const MedianTimeToAction = ({ report, daily }: { report: Transparency; daily: TransparencyDaily }) => {
    const rows = daily.days.map(d => ({ day: d.day, hours: d.medianHoursToAction, decided: d.decidedWithAction }));
    return (
        <ChartFigure
            title="Median time to action"
            summary={medianSummary(report, daily)}
            table={
                <Table size="small" aria-label="Median time to action per day">
                    <TableHead>
                        <TableRow>
                            <TableCell>Day</TableCell>
                            <TableCell align="right">Reports decided with an action</TableCell>
                            <TableCell align="right">Median hours to action</TableCell>
                        </TableRow>
                    </TableHead>
                    <TableBody>
                        {rows
                            .filter(r => r.decided > 0)
                            .map(r => (
                                <TableRow key={r.day}>
                                    <TableCell component="th" scope="row">
                                        {r.day}
                                    </TableCell>
                                    <TableCell align="right">{r.decided}</TableCell>
                                    <TableCell align="right">{r.hours ?? '—'}</TableCell>
                                </TableRow>
                            ))}
                    </TableBody>
                </Table>
            }
        >
            <ResponsiveContainer width="100%" height="100%">
                <LineChart data={rows} margin={{ top: 8, right: 16, left: -8, bottom: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="day" />
                    <YAxis unit=" h" />
                    <Tooltip />
                    <Line isAnimationActive={false} type="monotone" dataKey="hours" name="Median hours" stroke="#1976d2" connectNulls dot />
                </LineChart>
            </ResponsiveContainer>
        </ChartFigure>
    );
};

/** The period's transparency figures as charts (GET /admin/v1/transparency/daily beside the period's counts). */
export const TransparencyCharts = ({ from, to, report }: { from: string; to: string; report: Transparency }) => {
    const query = useApiQuery(`transparency-daily:${from}:${to}`, dp => dp.transparencyDaily({ from, to }));
    if (query.error) return <Alert severity="error">{errorMessage(query.error)}</Alert>;
    if (!query.data) return null;
    return (
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '1fr 1fr' }, gap: 2, mb: 3 }} data-testid="transparency-charts">
            <Box sx={{ gridColumn: { lg: '1 / -1' } }}>
                <ReportsByReason daily={query.data} />
            </Box>
            <ActionsByType report={report} />
            <MedianTimeToAction report={report} daily={query.data} />
        </Box>
    );
};
