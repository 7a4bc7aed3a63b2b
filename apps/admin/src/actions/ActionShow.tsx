import { DateField, Show, SimpleShowLayout, TextField } from 'react-admin';
import { ActionNameField, RecordLinkField, UserLinkField } from '../common/fields';

export const ActionShow = () => (
    <Show>
        <SimpleShowLayout>
            <TextField source="id" />
            <UserLinkField source="userId" label="User" />
            <ActionNameField source="action" label="Action" />
            <TextField source="reason" emptyText="—" />
            <TextField source="note" emptyText="—" />
            <TextField source="staffId" label="Staff" emptyText="system" />
            <RecordLinkField source="reportId" resource="reports" label="Report" />
            <DateField source="createdAt" showTime />
            <DateField source="expiresAt" showTime emptyText="—" />
            <DateField source="liftedAt" showTime emptyText="—" />
        </SimpleShowLayout>
    </Show>
);
