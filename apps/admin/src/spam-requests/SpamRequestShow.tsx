import { DateField, NumberField, Show, SimpleShowLayout } from 'react-admin';
import { UserLinkField } from '../common/fields';
import { SampleField } from './SpamRequestList';

export const SpamRequestShow = () => (
    <Show>
        <SimpleShowLayout>
            <UserLinkField source="senderId" handleSource="senderHandle" label="Sender" />
            <NumberField source="score" />
            <NumberField source="requestsSent" />
            <NumberField source="declined" />
            <NumberField source="reported" />
            <SampleField label="Sample messages" max={50} />
            <DateField source="lastAt" showTime />
        </SimpleShowLayout>
    </Show>
);
