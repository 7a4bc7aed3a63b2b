import {
    Alert,
    Box,
    Button,
    Card,
    CardContent,
    MenuItem,
    Stack,
    Table,
    TableBody,
    TableCell,
    TableHead,
    TableRow,
    TextField,
    Typography,
} from '@mui/material';
import { useState } from 'react';
import { Link, Show, useGetOne, useRecordContext } from 'react-admin';
import { PriorityField, StatusField } from '../common/fields';
import { useApiQuery, useBackchannel, useCan, useRunner } from '../common/useApi';
import { humanize } from '../lib/format';
import { ResolveDialog } from '../reports/ResolveDialog';
import type { CaseDetail as Case, CaseMessage, Report } from '@backchannel/client/admin';
import { EvidenceView } from '../reports/EvidenceView';
import { errorMessage } from '../lib/errors';
import { CaseSignals } from './CaseList';
import { CaseViewers } from './CaseViewers';
import { ConversationLock } from './ConversationLock';

const CaseSummary = () => {
    const record = useRecordContext<Case>();
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const canClaim = useCan('cases', 'claim');
    const canResolve = useCan('cases', 'resolve');
    const [resolveOpen, setResolveOpen] = useState(false);
    if (!record) return null;
    const open = record.status === 'open';
    return (
        <Box data-testid="case-summary">
            <CaseViewers caseId={String(record.id)} />
            <Stack direction="row" spacing={2} sx={{ mb: 1, alignItems: 'center' }}>
                <Typography variant="h6">
                    <Link to={`/users/${record.subjectUserId}/show`}>@{record.subjectHandle ?? record.subjectUserId}</Link>
                    {record.subjectDisplayName ? ` (${record.subjectDisplayName})` : ''}
                </Typography>
                <PriorityField source="priority" />
                <StatusField source="status" />
                <CaseSignals record={record} />
            </Stack>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                {record.reportCount} report{record.reportCount === 1 ? '' : 's'} from {record.reporterCount}{' '}
                {record.reporterCount === 1 ? 'person' : 'people'} · {record.reasons.map(humanize).join(', ')} ·{' '}
                {record.assigneeName ? `held by ${record.assigneeName}` : 'unassigned'}
            </Typography>
            {open && (
                <Stack direction="row" spacing={1} sx={{ mb: 2 }}>
                    {canClaim && (
                        <Button
                            variant="outlined"
                            disabled={!!pending}
                            data-testid="case-claim"
                            onClick={() => void run('claim', () => dataProvider.claimCase(record.id), { success: 'Case claimed' })}
                        >
                            Claim
                        </Button>
                    )}
                    {canResolve && (
                        <Button variant="contained" data-testid="case-resolve" onClick={() => setResolveOpen(true)}>
                            Resolve case
                        </Button>
                    )}
                </Stack>
            )}
            {!open && record.resolution && (
                <Alert severity="info" sx={{ mb: 2 }} data-testid="case-resolution">
                    Resolved: {humanize(record.resolution.action)}
                    {record.resolution.note ? ` (“${String(record.resolution.note)}”)` : ''}
                </Alert>
            )}
            <ResolveDialog
                open={resolveOpen}
                onClose={() => setResolveOpen(false)}
                ids={record.reportIds}
                caseId={record.id}
                subjectUserId={record.subjectUserId}
                reason={record.reasons?.[0]}
            />
        </Box>
    );
};

const CaseReports = () => {
    const record = useRecordContext<Case>();
    const canLock = useCan('users', 'dmTools');
    if (!record?.reports) return null;
    const lockOf = (conversationId: string) => record.conversations?.find(c => c.id === conversationId);
    return (
        <Box sx={{ mb: 3 }}>
            <Typography variant="subtitle1">Reports in this case</Typography>
            <Table size="small" data-testid="case-reports">
                <TableHead>
                    <TableRow>
                        <TableCell>Reason</TableCell>
                        <TableCell>Subject</TableCell>
                        <TableCell>Source</TableCell>
                        <TableCell>Reporter</TableCell>
                        <TableCell>Note</TableCell>
                        <TableCell>Status</TableCell>
                        <TableCell>Filed</TableCell>
                    </TableRow>
                </TableHead>
                <TableBody>
                    {record.reports.map(r => (
                        <TableRow key={r.id} data-testid="case-report-row">
                            <TableCell>
                                <Link to={`/reports/${r.id}/show`}>{humanize(r.reason)}</Link>
                            </TableCell>
                            <TableCell>
                                {humanize(r.subjectType)}
                                {canLock && r.subjectType === 'conversation' && lockOf(r.subjectId) && (
                                    <ConversationLock conversation={lockOf(r.subjectId)!} />
                                )}
                            </TableCell>
                            <TableCell>{r.source}</TableCell>
                            <TableCell>{r.reporterHandle ? `@${r.reporterHandle}` : '—'}</TableCell>
                            <TableCell>{r.note ?? ''}</TableCell>
                            <TableCell>{r.status}</TableCell>
                            <TableCell>{new Date(r.createdAt).toLocaleString()}</TableCell>
                        </TableRow>
                    ))}
                </TableBody>
            </Table>
        </Box>
    );
};

/** How many reports' evidence the case page opens at once (each open is an audited read). */
const EVIDENCE_SHOWN = 10;

/** One report's frozen evidence, read as the report page reads it (GET /reports/:id, audited). */
const ReportEvidence = ({ report }: { report: NonNullable<Case['reports']>[number] }) => {
    const { data, isPending, error } = useGetOne<Report>('reports', { id: report.id });
    const label = `Report: ${humanize(report.reason)} by ${report.reporterHandle ? `@${report.reporterHandle}` : 'the system'}`;
    return (
        <Card variant="outlined" sx={{ my: 1 }} role="article" aria-label={label} data-testid="case-evidence-item">
            <CardContent>
                <Typography variant="subtitle2">
                    <Link to={`/reports/${report.id}/show`}>{humanize(report.reason)}</Link> · reported by{' '}
                    {report.reporterHandle ? `@${report.reporterHandle}` : report.source === 'system' ? 'the system' : 'someone'} ·{' '}
                    {new Date(report.createdAt).toLocaleString()}
                </Typography>
                {report.note && (
                    <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                        Their note: “{report.note}”
                    </Typography>
                )}
                {isPending ? (
                    <Typography variant="body2" color="text.secondary">
                        Loading the evidence…
                    </Typography>
                ) : error ? (
                    <Alert severity="error">The evidence could not be read: {errorMessage(error)}</Alert>
                ) : (
                    <EvidenceView report={data} />
                )}
            </CardContent>
        </Card>
    );
};

/** The frozen evidence of the case's reports, newest first (opening it is audited, as on the report page). */
const CaseEvidence = () => {
    const record = useRecordContext<Case>();
    const [all, setAll] = useState(false);
    if (!record?.reports?.length) return null;
    const reports = [...record.reports].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const shown = all ? reports : reports.slice(0, EVIDENCE_SHOWN);
    return (
        <Box sx={{ mb: 3 }} data-testid="case-evidence">
            <Typography variant="subtitle1">Evidence (snapshots taken when each report was filed)</Typography>
            {shown.map(r => (
                <ReportEvidence key={r.id} report={r} />
            ))}
            {reports.length > shown.length && (
                <Button onClick={() => setAll(true)}>Show the evidence of {reports.length - shown.length} more reports</Button>
            )}
        </Box>
    );
};

/** Mod mail: write to the subject or a reporter from the team identity; their one answer shows here. */
const CaseMessages = () => {
    const record = useRecordContext<Case>();
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const canWrite = useCan('cases', 'message');
    const messages = useApiQuery(record ? `case-messages:${record.id}` : null, dp => dp.caseMessages(record!.id));
    const [recipientId, setRecipientId] = useState('');
    const [text, setText] = useState('');
    if (!record) return null;
    const people = [
        { id: record.subjectUserId, label: `@${record.subjectHandle ?? record.subjectUserId} (subject)` },
        ...Array.from(
            new Map(
                (record.reports ?? [])
                    .filter(r => r.reporterId)
                    .map(r => [r.reporterId as string, `@${r.reporterHandle ?? r.reporterId} (reporter)`]),
            ).entries(),
        ).map(([id, label]) => ({ id, label })),
    ];
    const sendIt = async () => {
        const done = await run('message', () => dataProvider.sendCaseMessage(record.id, { recipientId, text: text.trim() }), {
            success: 'Message sent',
        });
        if (done !== undefined) {
            setText('');
            messages.refetch();
        }
    };
    return (
        <Box data-testid="case-messages">
            <Typography variant="subtitle1">Messages (sent as “Backchannel Trust &amp; Safety”)</Typography>
            {(messages.data?.items ?? []).map((m: CaseMessage) => (
                <Card key={m.id} variant="outlined" sx={{ my: 1 }} data-testid="case-message">
                    <CardContent>
                        <Typography variant="caption" color="text.secondary">
                            To the {m.recipientRole} · by {m.staffName ?? 'staff'} · {new Date(m.createdAt).toLocaleString()}
                        </Typography>
                        <Typography variant="body2">{m.text}</Typography>
                        {m.reply !== null ? (
                            <Typography
                                variant="body2"
                                sx={{ mt: 1, pl: 2, borderLeft: '3px solid', borderColor: 'divider' }}
                                data-testid="case-message-reply"
                            >
                                Answer: {m.reply}
                            </Typography>
                        ) : (
                            <Typography variant="caption" color="text.secondary">
                                No answer yet
                            </Typography>
                        )}
                    </CardContent>
                </Card>
            ))}
            {canWrite && (
                <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: 'flex-start' }}>
                    <TextField
                        select
                        size="small"
                        label="To"
                        value={recipientId}
                        onChange={e => setRecipientId(e.target.value)}
                        sx={{ minWidth: 220 }}
                        slotProps={{ htmlInput: { 'data-testid': 'case-message-to' } }}
                    >
                        {people.map(p => (
                            <MenuItem key={p.id} value={p.id}>
                                {p.label}
                            </MenuItem>
                        ))}
                    </TextField>
                    <TextField
                        size="small"
                        label="Message"
                        value={text}
                        onChange={e => setText(e.target.value)}
                        fullWidth
                        multiline
                        slotProps={{ htmlInput: { 'data-testid': 'case-message-text', maxLength: 2000 } }}
                    />
                    <Button
                        variant="outlined"
                        disabled={!!pending || !recipientId || !text.trim()}
                        onClick={() => void sendIt()}
                        data-testid="case-message-send"
                    >
                        Send
                    </Button>
                </Stack>
            )}
        </Box>
    );
};

export const CaseShow = () => (
    <Show title="Case">
        <Box sx={{ p: 2 }}>
            <CaseSummary />
            <CaseReports />
            <CaseEvidence />
            <CaseMessages />
        </Box>
    </Show>
);
