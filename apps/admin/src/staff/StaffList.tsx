import { Datagrid, DateField, EmailField, List, SelectInput, TextField } from 'react-admin';
import { EnumField } from '../common/fields';
import { choicesOf } from '../lib/format';
import { STAFF_ROLES } from '@backchannel/client/admin';

const filters = [<SelectInput key="role" source="role" choices={choicesOf(STAFF_ROLES)} alwaysOn />];

export const StaffList = () => (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }}>
        <Datagrid rowClick="edit" bulkActionButtons={false}>
            <EmailField source="email" />
            <TextField source="displayName" />
            <EnumField source="role" label="Role" />
            <DateField source="createdAt" showTime />
        </Datagrid>
    </List>
);
