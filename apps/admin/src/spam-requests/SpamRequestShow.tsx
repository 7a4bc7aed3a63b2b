import { Alert, Box, Button } from '@mui/material';
import { DateField, Labeled, NumberField, Show, SimpleShowLayout, useRecordContext } from 'react-admin';
import { UserLinkField } from '../common/fields';
import { useBackchannel, useCan, useRunner } from '../common/useApi';
import { BurstField, SampleField } from './SpamRequestList';

/**
 * Requests a fan-out burst held for review (API.md v1.2): their recipients see nothing until
 * staff release them; declining them means they never will. Moderators and up.
 */
const HeldRequestsActions = () => {
    const record = useRecordContext();
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const allowed = useCan('spam-requests', 'userAction');
    const held = Number(record?.heldRequests ?? 0);
    if (!record || held === 0) return null;
    const settle = (release: boolean) =>
        run(release ? 'release' : 'decline', () => dataProvider.settleHeldRequests(record.id, { release }), {
            success: release ? 'Released: the recipients see these requests now' : 'Declined: the recipients will never see them',
        });
    return (
        <Box sx={{ my: 1 }} data-testid="held-requests">
            <Alert severity="warning" sx={{ mb: 1 }}>
                {held} request{held === 1 ? '' : 's'} held for review: this sender started too many chats with strangers at once. The sender
                sees them as sent; the recipients see nothing until you release them.
            </Alert>
            {allowed && (
                <Box sx={{ display: 'flex', gap: 1 }}>
                    <Button variant="contained" disabled={!!pending} onClick={() => void settle(true)}>
                        Release to recipients
                    </Button>
                    <Button variant="outlined" color="error" disabled={!!pending} onClick={() => void settle(false)}>
                        Decline them
                    </Button>
                </Box>
            )}
        </Box>
    );
};

export const SpamRequestShow = () => (
    <Show>
        <SimpleShowLayout>
            <UserLinkField source="senderId" handleSource="senderHandle" label="Sender" />
            <NumberField source="score" />
            <NumberField source="requestsSent" />
            <NumberField source="declined" />
            <NumberField source="reported" />
            <NumberField source="heldRequests" label="Held for review" />
            <Labeled label="Burst">
                <BurstField />
            </Labeled>
            <HeldRequestsActions />
            <SampleField label="Sample messages" max={50} />
            <DateField source="lastAt" showTime />
        </SimpleShowLayout>
    </Show>
);
