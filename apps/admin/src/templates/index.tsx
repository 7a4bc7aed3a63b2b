import TemplateIcon from '@mui/icons-material/Article';
import {
    Create,
    Datagrid,
    DateField,
    Edit,
    FunctionField,
    List,
    Show,
    SimpleForm,
    SimpleShowLayout,
    TextField,
    TextInput,
    required,
} from 'react-admin';

const HELP =
    'Variables: {{handle}}, {{displayName}}, {{action}}, {{endsAt}}, {{reason}}, {{ground}}, {{appealUntil}}, {{policy}} (the policy’s title). A decision that leaves one of them empty cannot be sent.';

const TemplateList = () => (
    <List sort={{ field: 'name', order: 'ASC' }} title="Notice templates">
        <Datagrid rowClick="show" bulkActionButtons={false} data-testid="template-list">
            <TextField source="name" />
            <TextField source="body" sortable={false} />
            <FunctionField label="Variables" render={(r: { variables?: string[] }) => (r.variables ?? []).join(', ')} />
            <DateField source="updatedAt" showTime />
        </Datagrid>
    </List>
);

const TemplateShow = () => (
    <Show>
        <SimpleShowLayout>
            <TextField source="name" />
            <TextField source="body" />
            <TextField source="facts" emptyText="Standard wording" />
            <FunctionField label="Variables" render={(r: { variables?: string[] }) => (r.variables ?? []).join(', ')} />
            <DateField source="updatedAt" showTime />
        </SimpleShowLayout>
    </Show>
);

const Fields = () => (
    <>
        <TextInput source="name" validate={required()} fullWidth />
        <TextInput source="body" label="Notice" validate={required()} fullWidth multiline minRows={4} helperText={HELP} />
        <TextInput
            source="facts"
            label="Facts in the statement of reasons (optional)"
            fullWidth
            multiline
            minRows={2}
            parse={(v: string) => (v.trim() ? v : null)}
            helperText="Fills the resolve dialog's facts, where the moderator can edit them. The same variables; left empty: the standard wording."
        />
    </>
);

const TemplateCreate = () => (
    <Create redirect="list">
        <SimpleForm>
            <Fields />
        </SimpleForm>
    </Create>
);

const TemplateEdit = () => (
    <Edit mutationMode="pessimistic">
        <SimpleForm>
            <Fields />
        </SimpleForm>
    </Edit>
);

export default { list: TemplateList, show: TemplateShow, create: TemplateCreate, edit: TemplateEdit, icon: TemplateIcon };
