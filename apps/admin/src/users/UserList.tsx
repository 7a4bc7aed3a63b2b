import { Datagrid, DateField, List, NumberField, SearchInput, SelectInput, TextField, TextInput } from 'react-admin';
import { StatusField } from '../common/fields';
import { choicesOf } from '../lib/format';
import { USER_STATUSES } from '@backchannel/client/admin';

const filters = [
    <SearchInput key="q" source="q" placeholder="Search handle, name or external id" alwaysOn />,
    <TextInput key="externalId" source="externalId" label="External id" />,
    <SelectInput key="status" source="status" choices={choicesOf(USER_STATUSES)} />,
];

export const UserList = () => (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25}>
        <Datagrid rowClick="show" bulkActionButtons={false}>
            <TextField source="handle" />
            <TextField source="displayName" />
            <TextField source="externalId" label="External id" emptyText="—" sortable={false} />
            <StatusField source="status" label="Status" />
            <NumberField source="strikes" />
            <DateField source="restrictedUntil" showTime emptyText="—" />
            <DateField source="suspendedUntil" showTime emptyText="—" />
            <DateField source="createdAt" showTime />
        </Datagrid>
    </List>
);
