import { humanize } from '../lib/format';
import { Box } from '@mui/material';
import { DateField, Labeled, Show, SimpleShowLayout, TextField, TopToolbar, useRecordContext } from 'react-admin';
import type { ModerationAction } from '@backchannel/client/admin';
import { ActionNameField, RecordLinkField, StaffField, UserLinkField } from '../common/fields';
import { ActionStateField } from './ActionStateField';
import { LiftButton } from './LiftButton';

const Actions = () => {
    const record = useRecordContext<ModerationAction>();
    return (
        <TopToolbar>
            <LiftButton action={record} size="medium" />
        </TopToolbar>
    );
};

export const ActionShow = () => (
    <Show actions={<Actions />}>
        <SimpleShowLayout>
            <UserLinkField source="userId" handleSource="userHandle" nameSource="userDisplayName" label="User" />
            <ActionNameField source="action" label="Action" />
            <Labeled label="State">
                <Box>
                    <ActionStateField source="expiresAt" />
                </Box>
            </Labeled>
            <TextField source="reason" emptyText="—" />
            <TextField source="note" label="Staff note" emptyText="—" />
            <StaffField source="staffId" nameSource="staffName" empty="automatic" label="By" />
            <RecordLinkField
                source="reportId"
                resource="reports"
                label="Report"
                kind="report"
                text={r => (r.reason ? `${humanize(String(r.reason))} report` : null)}
            />
            <DateField source="createdAt" showTime label="Taken" />
            <DateField source="expiresAt" showTime emptyText="never (permanent or not timed)" label="Runs until" />
            <DateField source="liftedAt" showTime emptyText="—" label="Lifted" />
            <TextField source="liftedReason" label="Lifted because" emptyText="—" />
            <TextField source="id" label="Action id" />
        </SimpleShowLayout>
    </Show>
);
