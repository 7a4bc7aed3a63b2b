import {
    Create,
    DateField,
    Edit,
    email,
    minLength,
    PasswordInput,
    required,
    SelectInput,
    Show,
    SimpleForm,
    SimpleShowLayout,
    TextField,
    TextInput,
} from 'react-admin';
import { EnumField } from '../common/fields';
import { choicesOf } from '../lib/format';
import { STAFF_ROLES } from '@backchannel/client/admin';

const roleChoices = choicesOf(STAFF_ROLES);

export const StaffCreate = () => (
    <Create redirect="list">
        <SimpleForm defaultValues={{ role: 'triage' }}>
            <TextInput source="email" type="email" validate={[required(), email()]} />
            <TextInput source="displayName" validate={required()} />
            <SelectInput source="role" choices={roleChoices} validate={required()} helperText="admin ⊃ moderator ⊃ triage" />
            <PasswordInput source="password" validate={[required(), minLength(12)]} helperText="At least 12 characters" />
        </SimpleForm>
    </Create>
);

export const StaffEdit = () => (
    <Edit mutationMode="pessimistic">
        <SimpleForm>
            <TextInput source="email" type="email" validate={[required(), email()]} />
            <TextInput source="displayName" validate={required()} />
            <SelectInput source="role" choices={roleChoices} validate={required()} />
            <PasswordInput source="password" validate={minLength(12)} helperText="Leave empty to keep the current password" />
        </SimpleForm>
    </Edit>
);

export const StaffShow = () => (
    <Show>
        <SimpleShowLayout>
            <TextField source="email" />
            <TextField source="displayName" />
            <EnumField source="role" label="Role" />
            <DateField source="createdAt" showTime />
        </SimpleShowLayout>
    </Show>
);
