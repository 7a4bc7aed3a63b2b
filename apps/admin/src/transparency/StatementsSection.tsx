import { Alert, Box, Button, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import type { TdbStatement } from '@backchannel/client/admin';
import { useApiQuery } from '../common/useApi';
import { errorMessage } from '../lib/errors';

/** What was decided, in the database's words: the one decision field a statement carries, with its end. */
const decisionOf = (s: TdbStatement): string =>
    [...(s.decision_visibility ?? []), s.decision_account, s.decision_provision].filter(Boolean).join(', ');
const endOf = (s: TdbStatement): string => s.end_date_account_restriction ?? s.end_date_service_restriction ?? '—';

/**
 * Admin-only: the period's statements of reasons as the EU DSA Transparency Database takes
 * them (GET /admin/v1/transparency/statements), and their JSON, ready to submit.
 */
export const StatementsSection = ({ from, to }: { from: string; to: string }) => {
    const query = useApiQuery(`transparency-statements:${from}:${to}`, dp => dp.transparencyStatements({ from, to }));
    const statements = query.data?.statements ?? [];
    const download = () => {
        if (!query.data) return;
        const blob = new Blob([JSON.stringify(query.data, null, 2)], { type: 'application/json' });
        const link = document.createElement('a');
        link.href = URL.createObjectURL(blob);
        link.download = `statements-${from}-${to}.json`;
        link.click();
        URL.revokeObjectURL(link.href);
    };
    return (
        <Box sx={{ mt: 4 }} data-testid="statements-section">
            <Stack direction="row" spacing={2} sx={{ mb: 1, alignItems: 'center' }}>
                <Typography variant="h6">Statements of reasons (EU DSA Transparency Database)</Typography>
                <Button
                    startIcon={<DownloadIcon />}
                    variant="outlined"
                    onClick={download}
                    disabled={!query.data}
                    data-testid="statements-json"
                >
                    Download JSON
                </Button>
            </Stack>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                One per decision taken in the period, in the database's submission format; no personal data.{' '}
                <span data-testid="statements-count">{statements.length}</span> statement{statements.length === 1 ? '' : 's'}.
            </Typography>
            {query.error ? <Alert severity="error">{errorMessage(query.error)}</Alert> : null}
            {statements.length > 0 && (
                <Table size="small" data-testid="statements-table">
                    <TableHead>
                        <TableRow>
                            <TableCell>Applied</TableCell>
                            <TableCell>Decision</TableCell>
                            <TableCell>Ends</TableCell>
                            <TableCell>Category</TableCell>
                            <TableCell>Ground</TableCell>
                            <TableCell>Source</TableCell>
                            <TableCell>Automated detection / decision</TableCell>
                            <TableCell>PUID</TableCell>
                        </TableRow>
                    </TableHead>
                    <TableBody>
                        {statements.map(s => (
                            <TableRow key={s.puid} data-testid={`statement-${s.puid}`}>
                                <TableCell>{s.application_date}</TableCell>
                                <TableCell>{decisionOf(s)}</TableCell>
                                <TableCell>{endOf(s)}</TableCell>
                                <TableCell>{s.category}</TableCell>
                                <TableCell>{s.incompatible_content_ground}</TableCell>
                                <TableCell>{s.source_type}</TableCell>
                                <TableCell>
                                    {s.automated_detection} / {s.automated_decision}
                                </TableCell>
                                <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{s.puid}</TableCell>
                            </TableRow>
                        ))}
                    </TableBody>
                </Table>
            )}
        </Box>
    );
};
