import { Datagrid, DateField, List, NumberField, SelectInput, TextField, TextInput } from 'react-admin';
import { LinkSourcesField, MarkerField, ShortTextField, VerdictField } from '../common/fields';
import { choicesOf } from '../lib/format';
import { LINK_VERDICTS } from '@backchannel/client/admin';

const filters = [
    <SelectInput key="verdict" source="verdict" choices={choicesOf(LINK_VERDICTS)} alwaysOn />,
    <TextInput key="host" source="host" />,
];

export const LinkList = () => (
    <List filters={filters} sort={{ field: 'lastSeenAt', order: 'DESC' }} perPage={25}>
        <Datagrid rowClick="show" bulkActionButtons={false}>
            <ShortTextField source="url" max={70} />
            <TextField source="host" />
            <VerdictField source="verdict" label="Verdict" />
            <ShortTextField source="reason" max={50} />
            <TextField source="rule" emptyText="—" />
            <LinkSourcesField source="sources" label="Checked by" sortable={false} />
            <MarkerField source="overridden" label="Set by staff" />
            <NumberField source="seenCount" label="Seen" />
            <DateField source="lastSeenAt" label="Last seen" showTime />
        </Datagrid>
    </List>
);
