import { Box, Button, Chip, Stack } from '@mui/material';
import CheckIcon from '@mui/icons-material/DoneAll';
import PersonIcon from '@mui/icons-material/Person';
import { useEffect, useState } from 'react';
import {
    Datagrid,
    DateField,
    ExportButton,
    FilterButton,
    List,
    NullableBooleanInput,
    SelectInput,
    TextField,
    TextInput,
    TopToolbar,
    useGetIdentity,
    useListContext,
    useRedirect,
    ReferenceInput,
    AutocompleteInput,
} from 'react-admin';
import { userOption } from '../lib/format';
import { DueField, EnumField, PriorityField, StaffField, StatusField, UserLinkField } from '../common/fields';
import { useCan } from '../common/useApi';
import { choicesOf } from '../lib/format';
import { moveCursor, SHORTCUT_HELP } from '../lib/shortcuts';
import {
    REPORT_REASONS,
    REPORT_REVIEW_STATES,
    REPORT_SOURCES,
    REPORT_STATUSES,
    type Report,
    type ReportStatus,
} from '@backchannel/client/admin';
import { ReporterPrecisionField } from './ReporterPrecisionField';
import { ResolveDialog } from './ResolveDialog';
import { useReportShortcuts } from './useReportShortcuts';
import { useReportWorkflow } from './useReportWorkflow';

const QUEUE_LABELS: Record<ReportStatus, string> = { open: 'Open (incl. escalated)', resolved: 'Resolved' };

const filters = [
    <SelectInput
        key="status"
        source="status"
        label="Queue"
        choices={REPORT_STATUSES.map(id => ({ id, name: QUEUE_LABELS[id] }))}
        emptyText="All"
        alwaysOn
    />,
    <SelectInput key="reviewState" source="reviewState" label="Review state" choices={choicesOf(REPORT_REVIEW_STATES)} />,
    <SelectInput key="reason" source="reason" choices={choicesOf(REPORT_REASONS)} alwaysOn />,
    <SelectInput key="source" source="source" choices={choicesOf(REPORT_SOURCES)} />,
    <NullableBooleanInput key="overdue" source="overdue" />,
    <ReferenceInput key="subjectUserId" source="subjectUserId" reference="users" label="Subject user">
        <AutocompleteInput label="Subject user" optionText={userOption} filterToQuery={q => ({ q })} />
    </ReferenceInput>,
    <TextInput key="subjectId" source="subjectId" label="Subject id (message, question…)" />,
];

/** Toggles the assigneeId filter to the signed-in staff member. */
const MineButton = () => {
    const { identity } = useGetIdentity();
    const list = useListContext<Report>();
    // react-admin types the filters `any`: they are the query's filter object and which filters are shown.
    const filters = list.filterValues as Record<string, unknown>;
    const shown = list.displayedFilters as Record<string, boolean>;
    const { setFilters } = list;
    if (!identity) return null;
    const mine = filters.assigneeId !== undefined && String(filters.assigneeId) === String(identity.id);
    const toggle = () => {
        const { assigneeId: _ignored, ...rest } = filters;
        setFilters(mine ? rest : { ...rest, assigneeId: identity.id }, { ...shown, assigneeId: !mine });
    };
    return (
        <Button size="small" startIcon={<PersonIcon />} onClick={toggle} variant={mine ? 'contained' : 'text'} data-testid="mine-filter">
            Assigned to me
        </Button>
    );
};

const ReportListActions = () => (
    <TopToolbar>
        <MineButton />
        <FilterButton />
        <ExportButton />
    </TopToolbar>
);

const BulkResolveButton = () => {
    const { selectedIds, onUnselectItems } = useListContext();
    const [open, setOpen] = useState(false);
    return (
        <>
            <Button size="small" startIcon={<CheckIcon />} onClick={() => setOpen(true)} data-testid="bulk-resolve-button">
                Resolve {selectedIds.length}
            </Button>
            <ResolveDialog
                open={open}
                onClose={() => setOpen(false)}
                ids={selectedIds}
                bulk
                suggested={null}
                onResolved={() => onUnselectItems()}
            />
        </>
    );
};

/** Datagrid with a keyboard cursor: j/k move, c claims, d dismisses, r resolves, Enter/o opens. */
const ReportGrid = () => {
    const { data } = useListContext<Report>();
    const rows = data ?? [];
    const [cursor, setCursor] = useState(-1);
    const [resolveOpen, setResolveOpen] = useState(false);
    const redirect = useRedirect();
    const canBulk = useCan('reports', 'bulkResolve');
    const current = cursor >= 0 && cursor < rows.length ? rows[cursor] : undefined;
    const workflow = useReportWorkflow(current);

    useEffect(() => {
        if (cursor >= rows.length) setCursor(rows.length - 1);
    }, [cursor, rows.length]);

    useEffect(() => {
        if (cursor < 0) return;
        const row = document.querySelectorAll('[data-testid="report-list"] tbody tr')[cursor];
        row?.scrollIntoView?.({ block: 'nearest' });
    }, [cursor]);

    useReportShortcuts({
        next: () => setCursor(c => moveCursor(c, rows.length, 1)),
        previous: () => setCursor(c => moveCursor(c, rows.length, -1)),
        claim: current && workflow.canClaim && !workflow.claimedByMe ? () => void workflow.claim() : undefined,
        dismiss: current && workflow.canResolve ? () => void workflow.dismiss() : undefined,
        resolve: current && workflow.canResolve ? () => setResolveOpen(true) : undefined,
    });

    // Enter / o opens the report under the cursor.
    useEffect(() => {
        const onKeyDown = (event: KeyboardEvent) => {
            if (!current || (event.key !== 'Enter' && event.key !== 'o')) return;
            const target = event.target as HTMLElement | null;
            if (target && target !== document.body && target.tagName !== 'TR') return;
            if (document.querySelector('.MuiModal-root:not(.MuiModal-hidden)')) return;
            event.preventDefault();
            redirect('show', 'reports', current.id);
        };
        window.addEventListener('keydown', onKeyDown);
        return () => window.removeEventListener('keydown', onKeyDown);
    }, [current, redirect]);

    return (
        <Box data-testid="report-list">
            <Stack direction="row" spacing={0.5} sx={{ px: 2, py: 1, flexWrap: 'wrap' }} useFlexGap>
                {SHORTCUT_HELP.map(s => (
                    <Chip key={s.key} size="small" variant="outlined" label={`${s.key} · ${s.label}`} />
                ))}
                <Chip size="small" variant="outlined" label="enter · open" />
            </Stack>
            <Datagrid
                rowClick="show"
                bulkActionButtons={canBulk ? <BulkResolveButton /> : false}
                rowSx={(record, index) => ({
                    ...(record.overdue && record.status !== 'resolved' ? { bgcolor: 'rgba(211, 47, 47, 0.06)' } : {}),
                    ...(index === cursor ? { outline: '2px solid', outlineColor: 'primary.main', outlineOffset: '-2px' } : {}),
                })}
            >
                <PriorityField source="priority" label="Priority" />
                <EnumField source="reason" label="Reason" />
                <EnumField source="subjectType" label="Subject" />
                <UserLinkField
                    source="subjectUserId"
                    handleSource="subjectHandle"
                    nameSource="subjectDisplayName"
                    label="Subject user"
                    sortable={false}
                />
                <StatusField source="reviewState" label="Status" />
                <EnumField source="source" label="Source" />
                <ReporterPrecisionField label="Reporter precision" sortable={false} />
                <StaffField source="assigneeId" nameSource="assigneeName" label="Assignee" />
                <DueField source="dueAt" label="Due" />
                <DateField source="createdAt" label="Reported" showTime />
                <TextField source="note" label="Note" sortable={false} />
            </Datagrid>
            {current && (
                <ResolveDialog
                    open={resolveOpen}
                    onClose={() => setResolveOpen(false)}
                    ids={[current.id]}
                    subjectUserId={current.subjectUserId}
                    reason={current.reason}
                />
            )}
        </Box>
    );
};

export const ReportList = () => (
    <List
        sort={{ field: 'priority', order: 'DESC' }}
        filterDefaultValues={{ status: 'open' }}
        filters={filters}
        actions={<ReportListActions />}
        perPage={25}
        title="Report queue"
    >
        <ReportGrid />
    </List>
);
