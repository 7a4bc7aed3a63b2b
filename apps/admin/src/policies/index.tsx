import PolicyIcon from '@mui/icons-material/Policy';
import {
    ArrayField,
    ArrayInput,
    Create,
    Datagrid,
    DateField,
    Edit,
    FunctionField,
    List,
    NumberInput,
    SelectInput,
    Show,
    SimpleForm,
    SimpleFormIterator,
    SimpleShowLayout,
    TextField,
    TextInput,
    maxValue,
    minValue,
    number,
    regex,
    required,
} from 'react-admin';
import { POLICY_CATEGORIES, SEVERITY_SUGGESTED_ACTIONS, type Policy } from '@backchannel/client/admin';
import { actionLabel } from '../lib/ladder';
import { categoryLabel } from '../lib/policies';

/**
 * Policies (API.md v1.2): what every decision names, with its EU DSA category and severity
 * levels (strikes, their expiry, the suggested action). Every staff role reads; admins write.
 */
const CATEGORY_CHOICES = POLICY_CATEGORIES.map(id => ({ id, name: categoryLabel(id) }));
const ACTION_CHOICES = SEVERITY_SUGGESTED_ACTIONS.map(id => ({ id, name: actionLabel(id) }));
const severitiesText = (p: Policy) =>
    p.severities.map(s => `${s.key}: ${s.strikes}×${s.expiryDays}d → ${actionLabel(s.suggestedAction)}`).join(' · ');

const PolicyList = () => (
    <List sort={{ field: 'key', order: 'ASC' }} title="Policies" perPage={50}>
        <Datagrid rowClick="show" bulkActionButtons={false} data-testid="policy-list">
            <TextField source="key" />
            <TextField source="title" />
            <FunctionField label="DSA category" sortBy="category" render={(p: Policy) => categoryLabel(p.category)} />
            <FunctionField label="Severities (strikes × days → suggestion)" render={severitiesText} />
            <DateField source="updatedAt" showTime />
        </Datagrid>
    </List>
);

const PolicyShow = () => (
    <Show>
        <SimpleShowLayout>
            <TextField source="key" />
            <TextField source="title" />
            <TextField source="description" />
            <FunctionField label="DSA category" render={(p: Policy) => `${categoryLabel(p.category)} (${p.category})`} />
            <ArrayField source="severities">
                <Datagrid bulkActionButtons={false} rowClick={false}>
                    <TextField source="key" />
                    <TextField source="strikes" />
                    <TextField source="expiryDays" label="Expire after (days)" />
                    <FunctionField label="Suggested action" render={(s: { suggestedAction: string }) => actionLabel(s.suggestedAction)} />
                </Datagrid>
            </ArrayField>
            <DateField source="updatedAt" showTime />
        </SimpleShowLayout>
    </Show>
);

const Fields = ({ creating }: { creating?: boolean }) => (
    <>
        <TextInput
            source="key"
            validate={[required(), regex(/^[a-z0-9_]{2,40}$/, 'Lowercase letters, digits and _, 2 to 40 characters')]}
            disabled={!creating}
            helperText={creating ? 'Decisions and rules name the policy by it; it cannot change later' : 'The key cannot change'}
        />
        <TextInput source="title" validate={required()} fullWidth />
        <TextInput source="description" fullWidth multiline minRows={2} helperText="Shown to people in the statement of reasons" />
        <SelectInput source="category" label="DSA category" choices={CATEGORY_CHOICES} validate={required()} fullWidth />
        <ArrayInput source="severities" label="Severities (mildest first)" validate={required()}>
            <SimpleFormIterator inline disableReordering={false}>
                <TextInput source="key" validate={[required(), regex(/^[a-z0-9_]{1,40}$/, 'Lowercase letters, digits and _')]} />
                <NumberInput source="strikes" validate={[required(), number(), minValue(0), maxValue(100)]} />
                <NumberInput
                    source="expiryDays"
                    label="Expire after (days)"
                    validate={[required(), number(), minValue(1), maxValue(3650)]}
                />
                <SelectInput source="suggestedAction" choices={ACTION_CHOICES} validate={required()} />
            </SimpleFormIterator>
        </ArrayInput>
    </>
);

const PolicyCreate = () => (
    <Create redirect="show">
        <SimpleForm defaultValues={{ severities: [{ key: 'low', strikes: 1, expiryDays: 90, suggestedAction: 'warn' }] }}>
            <Fields creating />
        </SimpleForm>
    </Create>
);

const PolicyEdit = () => (
    <Edit mutationMode="pessimistic" redirect="show">
        <SimpleForm>
            <Fields />
        </SimpleForm>
    </Edit>
);

export default { list: PolicyList, show: PolicyShow, create: PolicyCreate, edit: PolicyEdit, icon: PolicyIcon };
