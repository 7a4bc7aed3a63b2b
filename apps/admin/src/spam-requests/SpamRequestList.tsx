import { Box, Typography } from '@mui/material';
import { Datagrid, DateField, List, NumberField, useRecordContext, type RaRecord } from 'react-admin';
import { UserLinkField } from '../common/fields';
import { useCan } from '../common/useApi';
import { shortValue } from '../lib/format';
import { SpamBulkActions } from './SpamBulkActions';
import type { SpamRequest } from '@backchannel/client/admin';

export const SampleField = ({ max = 3 }: { label?: string; sortable?: boolean; max?: number }) => {
    const record = useRecordContext();
    const sample: unknown[] = Array.isArray(record?.sample) ? record.sample : [];
    if (!sample.length) return <span>—</span>;
    return (
        <Box component="ul" sx={{ m: 0, pl: 2 }}>
            {sample.slice(0, max).map((text, index) => (
                <Typography component="li" variant="body2" key={index} sx={{ wordBreak: 'break-word' }}>
                    {shortValue(text, 120)}
                </Typography>
            ))}
        </Box>
    );
};

/** "5 in 10 min": the fan-out burst that held this sender's requests. */
export const BurstField = (_props: { label?: string; sortable?: boolean }) => {
    const burst = useRecordContext<SpamRequest>()?.burst;
    if (!burst?.count) return <span>—</span>;
    return (
        <span>
            {burst.count} new chats in {burst.windowMinutes} min
        </span>
    );
};

/** Clicking a row opens the sender's user page; a sender with requests held for review opens the row, where staff settle them. */
const senderPath = (_id: unknown, _resource: string, record: RaRecord) => {
    if (Number(record?.heldRequests ?? 0) > 0) return `/spam-requests/${encodeURIComponent(String(record.id))}/show`;
    return record?.senderId ? `/users/${encodeURIComponent(String(record.senderId))}/show` : false;
};

export const SpamRequestList = () => {
    const canAct = useCan('spam-requests', 'userAction');
    return (
        <List sort={{ field: 'score', order: 'DESC' }} perPage={25} title="Spammy message requests">
            <Datagrid rowClick={senderPath} bulkActionButtons={canAct ? <SpamBulkActions /> : false}>
                <UserLinkField source="senderId" handleSource="senderHandle" label="Sender" />
                <NumberField source="score" options={{ maximumFractionDigits: 2 }} />
                <NumberField source="requestsSent" label="Requests" />
                <NumberField source="declined" />
                <NumberField source="reported" />
                <NumberField source="heldRequests" label="Held for review" sortable={false} />
                <BurstField label="Burst" sortable={false} />
                <SampleField label="Sample" sortable={false} />
                <DateField source="lastAt" label="Last request" showTime />
            </Datagrid>
        </List>
    );
};
