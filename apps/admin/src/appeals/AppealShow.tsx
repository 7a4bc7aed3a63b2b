import { Box, Typography } from '@mui/material';
import { DateField, Labeled, Show, SimpleShowLayout, TextField, useRecordContext } from 'react-admin';
import { RecordLinkField, StatusField, UserLinkField } from '../common/fields';
import { Section } from '../common/Section';
import { humanize } from '../lib/format';
import { ACTION_LABELS } from '../lib/ladder';
import { AppealDecision } from './AppealDecision';

const AppealText = () => {
    const record = useRecordContext();
    return (
        <Labeled label="Appeal">
            <Typography variant="body1" sx={{ whiteSpace: 'pre-wrap' }}>
                {record?.text ? String(record.text) : '—'}
            </Typography>
        </Labeled>
    );
};

export const AppealShow = () => (
    <Show>
        <SimpleShowLayout>
            <UserLinkField source="userId" handleSource="userHandle" nameSource="userDisplayName" label="User" />
            <RecordLinkField
                source="actionId"
                resource="actions"
                label="Appealed action"
                kind="action"
                text={r =>
                    r.action
                        ? `${ACTION_LABELS[String(r.action)] ?? humanize(String(r.action))}${r.actionCreatedAt ? ` · ${new Date(String(r.actionCreatedAt)).toLocaleDateString()}` : ''}`
                        : null
                }
            />
            <AppealText />
            <StatusField source="status" label="Status" />
            <DateField source="createdAt" showTime />
            <TextField source="decidedBy" emptyText="—" />
            <DateField source="decidedAt" showTime emptyText="—" />
        </SimpleShowLayout>
        <Box sx={{ px: 2, pb: 2 }}>
            <Section title="Decision">
                <AppealDecision />
            </Section>
        </Box>
    </Show>
);
