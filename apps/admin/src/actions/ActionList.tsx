import { humanize } from '../lib/format';
import { Datagrid, DateField, List, SelectInput, TextInput } from 'react-admin';
import { ActionNameField, RecordLinkField, ShortTextField, StaffField, UserLinkField } from '../common/fields';
import { ACTION_LABELS } from '../lib/ladder';
import { ActionStateField } from './ActionStateField';

const filters = [
    <TextInput key="userQ" source="userQ" label="User (handle or name)" alwaysOn />,
    <SelectInput key="action" source="action" choices={Object.keys(ACTION_LABELS).map(id => ({ id, name: ACTION_LABELS[id] }))} alwaysOn />,
    <TextInput key="reportId" source="reportId" label="Report id" />,
];

export const ActionList = () => (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25} title="Enforcement actions" empty={false}>
        <Datagrid rowClick="show" bulkActionButtons={false} empty={<EmptyText />}>
            <DateField source="createdAt" showTime label="When" />
            <UserLinkField source="userId" handleSource="userHandle" nameSource="userDisplayName" label="User" sortable={false} />
            <ActionNameField source="action" label="Action" />
            <ActionStateField source="expiresAt" label="State" sortable={false} />
            <ShortTextField source="reason" max={40} />
            <ShortTextField source="note" max={50} />
            <StaffField source="staffId" nameSource="staffName" empty="automatic" label="By" sortable={false} />
            <RecordLinkField
                source="reportId"
                resource="reports"
                label="Report"
                kind="report"
                text={r => (r.reason ? `${humanize(String(r.reason))} report` : null)}
            />
        </Datagrid>
    </List>
);

const EmptyText = () => <div style={{ padding: 16, color: 'rgba(0,0,0,0.6)' }}>No enforcement actions match these filters.</div>;
