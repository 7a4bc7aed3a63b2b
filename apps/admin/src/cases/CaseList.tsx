import { Chip, Stack } from '@mui/material';
import { Datagrid, DateField, FunctionField, List, NumberField, SelectInput, TextInput } from 'react-admin';
import { PriorityField, StaffField, StatusField, UserLinkField } from '../common/fields';
import { choicesOf, humanize } from '../lib/format';
import { CASE_STATUSES, type Case } from '@backchannel/client/admin';

const filters = [
    <SelectInput key="status" source="status" label="Queue" choices={choicesOf(CASE_STATUSES)} emptyText="All" alwaysOn />,
    <TextInput key="subjectQ" source="subjectQ" label="Subject handle or name" alwaysOn />,
];

/** Signals beside the priority: a trusted flagger, a live host, system reports, spam score. */
export const CaseSignals = ({ record }: { record: Case }) => (
    <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
        {record.trustedFlagger && <Chip size="small" color="secondary" label="trusted flagger" data-testid="case-trusted" />}
        {record.hostingLiveRoom && <Chip size="small" color="warning" label="hosting live" />}
        {record.systemReports > 0 && <Chip size="small" variant="outlined" label={`${record.systemReports} system`} />}
        {record.spamScore !== null && record.spamScore > 0 && (
            <Chip size="small" variant="outlined" label={`spam ${record.spamScore.toFixed(1)}`} />
        )}
    </Stack>
);

/** The queue by subject user: one row per person, most urgent first. */
export const CaseList = () => (
    <List
        sort={{ field: 'priority', order: 'DESC' }}
        filterDefaultValues={{ status: 'open' }}
        filters={filters}
        perPage={25}
        title="Case queue"
    >
        <Datagrid rowClick="show" bulkActionButtons={false} data-testid="case-list">
            <PriorityField source="priority" label="Priority" />
            <UserLinkField
                source="subjectUserId"
                handleSource="subjectHandle"
                nameSource="subjectDisplayName"
                label="Subject"
                sortable={false}
            />
            <NumberField source="reportCount" label="Reports" sortable={false} />
            <NumberField source="reporterCount" label="People" sortable={false} />
            <FunctionField label="Reasons" render={(r: Case) => r.reasons.map(humanize).join(', ')} />
            <FunctionField label="Signals" render={(r: Case) => <CaseSignals record={r} />} />
            <StatusField source="status" label="Status" />
            <StaffField source="assigneeId" nameSource="assigneeName" label="Assignee" />
            <DateField source="updatedAt" label="Updated" showTime />
        </Datagrid>
    </List>
);
