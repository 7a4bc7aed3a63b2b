import {
    CreateButton,
    Datagrid,
    DateField,
    DeleteButton,
    ExportButton,
    List,
    SelectInput,
    TextField,
    TextInput,
    TopToolbar,
} from 'react-admin';
import { EnumField, StaffField } from '../common/fields';
import { choicesOf } from '../lib/format';
import { BLOCKLIST_KINDS } from '@backchannel/client/admin';

const filters = [
    <SelectInput key="kind" source="kind" choices={choicesOf(BLOCKLIST_KINDS)} alwaysOn />,
    <TextInput key="pattern" source="pattern" />,
];

const Actions = () => (
    <TopToolbar>
        <CreateButton />
        <ExportButton />
    </TopToolbar>
);

export const BlocklistList = () => (
    <List filters={filters} actions={<Actions />} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25}>
        <Datagrid rowClick="show" bulkActionButtons={false}>
            <TextField source="pattern" sx={{ fontFamily: 'monospace' }} />
            <EnumField source="kind" label="Kind" />
            <TextField source="reason" />
            <StaffField source="createdBy" nameSource="createdByName" empty="—" label="Added by" sortable={false} />
            <DateField source="createdAt" showTime />
            <DeleteButton mutationMode="pessimistic" />
        </Datagrid>
    </List>
);
