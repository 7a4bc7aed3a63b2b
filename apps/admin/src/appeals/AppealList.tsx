import { Datagrid, DateField, List, SelectInput, TextInput } from 'react-admin';
import { RecordLinkField, ShortTextField, StatusField, UserLinkField } from '../common/fields';
import { choicesOf, humanize } from '../lib/format';
import { ACTION_LABELS } from '../lib/ladder';
import { APPEAL_STATUSES } from '@backchannel/client/admin';

const filters = [
    <SelectInput key="status" source="status" choices={choicesOf(APPEAL_STATUSES)} alwaysOn />,
    <TextInput key="userId" source="userId" label="User id" />,
];

export const AppealList = () => (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25}>
        <Datagrid rowClick="show" bulkActionButtons={false}>
            <DateField source="createdAt" showTime />
            <UserLinkField source="userId" handleSource="userHandle" nameSource="userDisplayName" label="User" sortable={false} />
            <RecordLinkField
                source="actionId"
                resource="actions"
                label="Action"
                kind="action"
                text={r =>
                    r.action
                        ? `${ACTION_LABELS[String(r.action)] ?? humanize(String(r.action))}${r.actionCreatedAt ? ` · ${new Date(String(r.actionCreatedAt)).toLocaleDateString()}` : ''}`
                        : null
                }
            />
            <ShortTextField source="text" max={80} />
            <StatusField source="status" label="Status" />
            <DateField source="decidedAt" showTime emptyText="—" />
        </Datagrid>
    </List>
);
