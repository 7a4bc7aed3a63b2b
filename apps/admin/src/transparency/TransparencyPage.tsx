import {
    Alert,
    Box,
    Button,
    Card,
    CardContent,
    Stack,
    Table,
    TableBody,
    TableCell,
    TableHead,
    TableRow,
    TextField,
    Typography,
} from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import { useState } from 'react';
import { Title } from 'react-admin';
import { useApiQuery } from '../common/useApi';
import { errorMessage } from '../lib/errors';
import { transparencyCsv, transparencyRows } from '../lib/transparency';
import { StatementsSection } from './StatementsSection';
import { TransparencyCharts } from './TransparencyCharts';

const day = (d: Date) => d.toISOString().slice(0, 10);

/** Admin-only: the counts of a period (GET /admin/v1/transparency) as charts and a table, and their CSV. */
export const TransparencyPage = () => {
    const now = new Date();
    const [from, setFrom] = useState(day(new Date(now.getTime() - 30 * 86400_000)));
    const [to, setTo] = useState(day(new Date(now.getTime() + 86400_000)));
    const query = useApiQuery(`transparency:${from}:${to}`, dp => dp.transparency({ from, to }));
    const download = () => {
        if (!query.data) return;
        const blob = new Blob([transparencyCsv(query.data)], { type: 'text/csv;charset=utf-8' });
        const link = document.createElement('a');
        link.href = URL.createObjectURL(blob);
        link.download = `transparency-${from}-${to}.csv`;
        link.click();
        URL.revokeObjectURL(link.href);
    };
    return (
        <Card data-testid="transparency-page">
            <Title title="Transparency" />
            <CardContent>
                <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: 'center' }}>
                    <TextField
                        type="date"
                        label="From (inclusive)"
                        value={from}
                        onChange={e => setFrom(e.target.value)}
                        slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'transparency-from' } }}
                    />
                    <TextField
                        type="date"
                        label="To (exclusive)"
                        value={to}
                        onChange={e => setTo(e.target.value)}
                        slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'transparency-to' } }}
                    />
                    <Button
                        startIcon={<DownloadIcon />}
                        variant="outlined"
                        onClick={download}
                        disabled={!query.data}
                        data-testid="transparency-csv"
                    >
                        Export CSV
                    </Button>
                </Stack>
                {query.error ? <Alert severity="error">{errorMessage(query.error)}</Alert> : null}
                {query.data && (
                    <Box>
                        <TransparencyCharts from={from} to={to} report={query.data} />
                        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                            Counted from the records the audit log is written with: reports filed, actions taken (by staff or automated),
                            appeals filed and decided in the period.
                        </Typography>
                        <Table size="small" data-testid="transparency-table">
                            <TableHead>
                                <TableRow>
                                    <TableCell>Section</TableCell>
                                    <TableCell>Key</TableCell>
                                    <TableCell align="right">Value</TableCell>
                                </TableRow>
                            </TableHead>
                            <TableBody>
                                {transparencyRows(query.data).map(([section, key, value]) => (
                                    <TableRow key={`${section}.${key}`} data-testid={`transparency-${section}-${key}`}>
                                        <TableCell>{section}</TableCell>
                                        <TableCell>{key}</TableCell>
                                        <TableCell align="right">{value === '' ? '—' : value}</TableCell>
                                    </TableRow>
                                ))}
                            </TableBody>
                        </Table>
                    </Box>
                )}
                <StatementsSection from={from} to={to} />
            </CardContent>
        </Card>
    );
};
