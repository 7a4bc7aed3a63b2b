import {
    BooleanField,
    BooleanInput,
    CreateButton,
    Datagrid,
    DateField,
    EditButton,
    FunctionField,
    List,
    SelectInput,
    TextField,
    TextInput,
    TopToolbar,
    useRecordContext,
    useUpdate,
} from 'react-admin';
import { Button } from '@mui/material';
import { EnumField } from '../common/fields';
import { useCan } from '../common/useApi';
import { choicesOf } from '../lib/format';
import { RULE_ACTIONS, RULE_KINDS, RULE_MODES, type Rule } from '@backchannel/client/admin';
import { RuleTester } from './RuleTester';

const filters = [
    <TextInput key="q" source="q" label="Search" alwaysOn />,
    <SelectInput key="kind" source="kind" choices={choicesOf(RULE_KINDS)} />,
    <SelectInput key="action" source="action" choices={choicesOf(RULE_ACTIONS)} />,
    <SelectInput key="mode" source="mode" choices={choicesOf(RULE_MODES)} />,
    <BooleanInput key="enabled" source="enabled" />,
];

/** Enable / disable in one click (moderator): a PUT of `enabled` only. */
const ToggleButton = () => {
    const record = useRecordContext();
    const [update, { isPending }] = useUpdate();
    if (!record) return null;
    return (
        <Button
            size="small"
            disabled={isPending}
            data-testid={`rule-toggle-${record.id}`}
            onClick={e => {
                e.stopPropagation();
                void update(
                    'rules',
                    { id: record.id, data: { enabled: !record.enabled }, previousData: record },
                    { mutationMode: 'pessimistic' },
                );
            }}
        >
            {record.enabled ? 'Disable' : 'Enable'}
        </Button>
    );
};

const Actions = () => (
    <TopToolbar>
        <CreateButton />
    </TopToolbar>
);

export const RuleList = () => {
    const canEdit = useCan('rules', 'edit');
    return (
        <List filters={filters} actions={<Actions />} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25} aside={<RuleTesterAside />}>
            <Datagrid rowClick={canEdit ? 'edit' : false} bulkActionButtons={false}>
                <TextField source="name" />
                <BooleanField source="enabled" />
                <EnumField source="mode" label="Mode" />
                <EnumField source="kind" label="Kind" />
                <FunctionField
                    label="Patterns"
                    render={(r: Rule) => `${r.patterns.slice(0, 3).join(', ')}${r.patterns.length > 3 ? ` +${r.patterns.length - 3}` : ''}`}
                />
                <FunctionField label="Applies to" render={(r: Rule) => r.appliesTo.join(', ')} />
                <EnumField source="action" label="Action" />
                <FunctionField label="Hits 24 h" sortable={false} render={(r: Rule) => r.hits.day} />
                <FunctionField label="Hits 7 d" sortable={false} render={(r: Rule) => r.hits.week} />
                <DateField source="updatedAt" showTime />
                {canEdit && <ToggleButton />}
                {canEdit && <EditButton />}
            </Datagrid>
        </List>
    );
};

const RuleTesterAside = () => (
    <div style={{ width: 360, marginLeft: 16 }}>
        <RuleTester />
    </div>
);
