import { Alert, Box, Button, Chip, Stack, Tooltip, Typography } from '@mui/material';
import CheckIcon from '@mui/icons-material/Check';
import PanToolIcon from '@mui/icons-material/PanTool';
import PriorityHighIcon from '@mui/icons-material/PriorityHigh';
import { useState, type ReactNode } from 'react';
import { Show, useRecordContext } from 'react-admin';
import { DueField, EnumChip, PriorityField, StaffField, UserLinkField } from '../common/fields';
import { resolutionSentence } from '../lib/describe';
import { Section } from '../common/Section';
import { normalizeEvidence } from '../lib/evidence';
import { humanize } from '../lib/format';
import { SHORTCUT_HELP } from '../lib/shortcuts';
import type { Report } from '@backchannel/client/admin';
import { UserHistoryPanel } from '../users/UserHistoryPanel';
import { useUserHistory } from '../users/useUserHistory';
import { EscalateDialog } from './EscalateDialog';
import { EvidenceView } from './EvidenceView';
import { ResolveDialog } from './ResolveDialog';
import { useAdjacentReport } from './useAdjacentReport';
import { useReportShortcuts } from './useReportShortcuts';
import { useReportWorkflow } from './useReportWorkflow';

const ReportTitle = () => {
    const record = useRecordContext<Report>();
    return <span>Report{record ? ` · ${humanize(record.reason)} · ${humanize(record.subjectType)}` : ''}</span>;
};

const Row = ({ label, children }: { label: string; children: ReactNode }) => (
    <Box sx={{ display: 'contents' }}>
        <Typography component="dt" variant="body2" color="text.secondary">
            {label}
        </Typography>
        <Box component="dd" sx={{ m: 0, minWidth: 0, wordBreak: 'break-word' }}>
            {children}
        </Box>
    </Box>
);

const when = (value: unknown) => (value ? new Date(String(value)).toLocaleString() : '—');

const ReportSummary = ({ report }: { report: Report }) => {
    const handles = new Map(normalizeEvidence(report).participants.map(p => [p.userId, p.handle]));
    const handleOf = (id: unknown) => (id ? handles.get(String(id)) || undefined : undefined);
    const subjectHandle = report.subjectHandle ?? handleOf(report.subjectUserId);
    const subjectName = subjectHandle ? `@${String(subjectHandle)}` : null;
    return (
        <Box
            component="dl"
            sx={{ m: 0, display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2, rowGap: 0.75, alignItems: 'center' }}
        >
            <Row label="Status">
                <span data-testid="report-status" data-status={report.reviewState ?? report.status}>
                    <EnumChip value={report.reviewState ?? report.status} />
                </span>
            </Row>
            <Row label="Reason">{humanize(report.reason)}</Row>
            <Row label="Priority">
                <PriorityField source="priority" />
            </Row>
            <Row label="Due">
                <DueField source="dueAt" />
            </Row>
            <Row label="Subject">
                {humanize(report.subjectType)}{' '}
                <Typography component="span" variant="caption" sx={{ fontFamily: 'monospace' }}>
                    {report.subjectId}
                </Typography>
            </Row>
            <Row label="Subject user">
                <UserLinkField
                    source="subjectUserId"
                    handleSource="subjectHandle"
                    nameSource="subjectDisplayName"
                    handle={handleOf(report.subjectUserId)}
                />
            </Row>
            <Row label="Source">
                {humanize(report.source)}
                {report.source === 'user' && report.reporterId ? (
                    <>
                        {' · reporter '}
                        <UserLinkField source="reporterId" handleSource="reporterHandle" handle={handleOf(report.reporterId)} />
                    </>
                ) : null}
            </Row>
            <Row label="Assignee">
                <StaffField source="assigneeId" nameSource="assigneeName" />
                {report.claimedAt ? (
                    <Typography component="span" variant="caption" color="text.secondary">
                        {' '}
                        since {when(report.claimedAt)}
                    </Typography>
                ) : null}
            </Row>
            <Row label="Reported">{when(report.createdAt)}</Row>
            {report.note ? (
                <Row label="Reporter note">
                    <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap' }}>
                        {report.note}
                    </Typography>
                </Row>
            ) : null}
            {report.status === 'resolved' ? (
                <>
                    <Row label="Resolved">{when(report.resolvedAt)}</Row>
                    <Row label="Resolution">
                        <Typography variant="body2" data-testid="resolution-sentence">
                            {resolutionSentence(report.resolution, subjectName)}
                        </Typography>
                        {report.resolvedByName ? (
                            <Typography variant="caption" color="text.secondary">
                                by {String(report.resolvedByName)}
                            </Typography>
                        ) : null}
                    </Row>
                </>
            ) : null}
        </Box>
    );
};

const ReportShowContent = () => {
    const report = useRecordContext<Report>();
    const history = useUserHistory(report?.subjectUserId);
    const workflow = useReportWorkflow(report);
    const goTo = useAdjacentReport(report?.id);
    const [resolveOpen, setResolveOpen] = useState(false);
    const [escalateOpen, setEscalateOpen] = useState(false);

    useReportShortcuts(
        {
            next: () => void goTo(1),
            previous: () => void goTo(-1),
            claim: workflow.canClaim && !workflow.claimedByMe ? () => void workflow.claim() : undefined,
            dismiss: workflow.canResolve
                ? () => void workflow.dismiss().then(done => (done !== undefined ? goTo(1, true) : undefined))
                : undefined,
            resolve: workflow.canResolve ? () => setResolveOpen(true) : undefined,
        },
        !!report,
    );

    if (!report) return null;
    const suggested = history.data?.suggestedAction;

    return (
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: 'minmax(0, 7fr) minmax(0, 5fr)' }, gap: 2, mt: 1 }}>
            <Box sx={{ minWidth: 0 }}>
                <Section
                    title="Case"
                    testId="report-summary"
                    action={
                        <Stack direction="row" spacing={1} sx={{ pr: 1, pt: 0.5 }}>
                            {workflow.canClaim && (
                                <Tooltip title={workflow.claimedByOther ? 'Someone else holds this report' : 'Claim (c)'}>
                                    <span>
                                        <Button
                                            variant={workflow.claimedByMe ? 'text' : 'outlined'}
                                            startIcon={<PanToolIcon />}
                                            onClick={() => void workflow.claim()}
                                            disabled={workflow.claimedByMe || !!workflow.pending}
                                            data-testid="claim-button"
                                        >
                                            {workflow.claimedByMe ? 'Claimed by you' : 'Claim'}
                                        </Button>
                                    </span>
                                </Tooltip>
                            )}
                            {workflow.canEscalate && (
                                <Button
                                    variant="outlined"
                                    color="warning"
                                    startIcon={<PriorityHighIcon />}
                                    onClick={() => setEscalateOpen(true)}
                                    disabled={!!workflow.pending}
                                    data-testid="escalate-button"
                                >
                                    Escalate
                                </Button>
                            )}
                            {workflow.canResolve && (
                                <Tooltip title="Resolve (r) · dismiss (d)">
                                    <span>
                                        <Button
                                            variant="contained"
                                            startIcon={<CheckIcon />}
                                            onClick={() => setResolveOpen(true)}
                                            disabled={!!workflow.pending}
                                            data-testid="resolve-button"
                                        >
                                            Resolve
                                        </Button>
                                    </span>
                                </Tooltip>
                            )}
                        </Stack>
                    }
                >
                    {report.overdue && report.status !== 'resolved' && (
                        <Alert severity="warning" sx={{ mb: 2 }}>
                            This report is past its response deadline.
                        </Alert>
                    )}
                    <ReportSummary report={report} />
                    <Stack direction="row" spacing={0.5} sx={{ mt: 2, flexWrap: 'wrap' }} useFlexGap>
                        {SHORTCUT_HELP.map(s => (
                            <Chip key={s.key} size="small" variant="outlined" label={`${s.key} · ${s.label}`} />
                        ))}
                    </Stack>
                </Section>
                <Section title="Evidence (snapshot at report time)">
                    <EvidenceView report={report} />
                </Section>
            </Box>
            <Box sx={{ minWidth: 0 }}>
                <Section title="Subject history">
                    <UserHistoryPanel userId={report.subjectUserId} query={history} />
                </Section>
            </Box>
            <ResolveDialog
                open={resolveOpen}
                onClose={() => setResolveOpen(false)}
                ids={[report.id]}
                suggested={suggested ?? null}
                subjectUserId={report.subjectUserId}
                reason={report.reason}
                onResolved={() => void goTo(1, true)}
            />
            <EscalateDialog
                open={escalateOpen}
                onClose={() => setEscalateOpen(false)}
                onEscalate={workflow.escalate}
                pending={!!workflow.pending}
            />
        </Box>
    );
};

export const ReportShow = () => (
    <Show title={<ReportTitle />} actions={false} component="div">
        <ReportShowContent />
    </Show>
);
