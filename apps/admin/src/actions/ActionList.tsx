import { Datagrid, DateField, List, SelectInput, TextInput } from 'react-admin';
import { ActionNameField, RecordLinkField, ShortTextField, UserLinkField } from '../common/fields';
import { ACTION_LABELS } from '../lib/ladder';

const filters = [
    <TextInput key="userId" source="userId" label="User id" alwaysOn />,
    <SelectInput
        key="action"
        source="action"
        choices={Object.keys(ACTION_LABELS).map(id => ({ id, name: ACTION_LABELS[id] }))}
    />,
    <TextInput key="reportId" source="reportId" label="Report id" />,
];

export const ActionList = () => (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25} title="Enforcement actions">
        <Datagrid rowClick="show" bulkActionButtons={false}>
            <DateField source="createdAt" showTime />
            <UserLinkField source="userId" label="User" />
            <ActionNameField source="action" label="Action" />
            <ShortTextField source="reason" max={40} />
            <ShortTextField source="note" max={50} />
            <RecordLinkField source="reportId" resource="reports" label="Report" />
            <DateField source="expiresAt" showTime emptyText="—" />
            <DateField source="liftedAt" showTime emptyText="—" />
        </Datagrid>
    </List>
);
