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
            <FunctionField label="Variables" render={(r: { variables?: string[] }) => (r.variables ?? []).join(', ')} />
            <DateField source="updatedAt" showTime />
        </SimpleShowLayout>
    </Show>
);

const Fields = () => (
    <>
        <TextInput source="name" validate={required()} fullWidth />
        <TextInput source="body" validate={required()} fullWidth multiline minRows={4} helperText={HELP} />
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
