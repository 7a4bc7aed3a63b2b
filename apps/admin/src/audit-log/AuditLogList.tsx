import { Datagrid, DateField, List, TextField, TextInput } from 'react-admin';
import { EnumField } from '../common/fields';

const filters = [
    <TextInput key="staffId" source="staffId" label="Staff id" alwaysOn />,
    <TextInput key="subjectId" source="subjectId" label="Subject id" alwaysOn />,
];

export const AuditLogList = () => (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={50} title="Audit log">
        <Datagrid rowClick="show" bulkActionButtons={false}>
            <DateField source="createdAt" showTime />
            <TextField source="staffEmail" label="Staff" emptyText="system" />
            <TextField source="action" />
            <EnumField source="subjectType" label="Subject type" />
            <TextField source="subjectId" />
        </Datagrid>
    </List>
);
