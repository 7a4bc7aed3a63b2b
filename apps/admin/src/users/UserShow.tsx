import { Box, Typography } from '@mui/material';
import {
    Datagrid,
    DateField,
    Labeled,
    NumberField,
    Pagination,
    ReferenceManyField,
    Show,
    SimpleShowLayout,
    TextField,
    useRecordContext,
} from 'react-admin';
import type { UserRecord } from '@backchannel/client/admin';
import { EnumField } from '../common/fields';
import { Section } from '../common/Section';
import { useCan } from '../common/useApi';
import { UserActionForm } from './UserActionForm';
import { DmPanel } from './DmPanel';
import { StandingChips, UserHistoryPanel } from './UserHistoryPanel';
import { StandingPanel, useUserStanding } from './StandingPanel';
import { useUserHistory } from './useUserHistory';

const UserTitle = () => {
    const record = useRecordContext<UserRecord>();
    return <span>User{record ? ` @${record.handle ?? record.id}` : ''}</span>;
};

const UserShowContent = () => {
    const record = useRecordContext<UserRecord>();
    const history = useUserHistory(record?.id);
    const standing = useUserStanding(record?.id);
    const canAct = useCan('users', 'userAction');
    const canDm = useCan('users', 'dmTools');
    if (!record) return null;
    return (
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: 'minmax(0, 5fr) minmax(0, 7fr)' }, gap: 2, mt: 1 }}>
            <Box sx={{ minWidth: 0 }}>
                <Section title="Profile" testId="user-profile">
                    <SimpleShowLayout sx={{ p: 0 }}>
                        <TextField source="handle" />
                        <TextField source="displayName" />
                        <Labeled label="Standing">
                            <StandingChips user={record} />
                        </Labeled>
                        <NumberField source="strikes" />
                        <DateField source="createdAt" label="Joined" showTime />
                        <TextField source="id" label="User id" />
                        <TextField source="externalId" label="External id (host app)" emptyText="— (native account)" />
                    </SimpleShowLayout>
                </Section>
                <Section title="Standing" testId="user-standing">
                    <StandingPanel standing={standing.data} isPending={standing.isPending} />
                </Section>
                {canAct ? (
                    <Section title="Take action">
                        <UserActionForm
                            key={JSON.stringify(history.data?.suggestedAction ?? null)}
                            userId={record.id}
                            suggested={history.data?.suggestedAction}
                            onDone={history.refetch}
                        />
                    </Section>
                ) : (
                    <Typography variant="body2" color="text.secondary">
                        Your role can view this user but not take action.
                    </Typography>
                )}
                {canDm && <DmPanel user={record} history={history.data} onChange={history.refetch} />}
            </Box>
            <Box sx={{ minWidth: 0 }}>
                <Section title="History">
                    <UserHistoryPanel userId={record.id} query={history} showProfile={false} />
                </Section>
                <Section title="Rule hits" testId="user-rule-hits">
                    <ReferenceManyField
                        reference="rule-hits"
                        target="userId"
                        sort={{ field: 'createdAt', order: 'DESC' }}
                        perPage={10}
                        pagination={<Pagination />}
                    >
                        <Datagrid bulkActionButtons={false} rowClick={false} empty={<span>No rule has matched this user.</span>}>
                            <TextField source="ruleName" label="Rule" />
                            <EnumField source="action" label="Action" />
                            <EnumField source="mode" label="Mode" />
                            <EnumField source="scope" label="Scope" />
                            <TextField source="pattern" />
                            <DateField source="createdAt" showTime />
                        </Datagrid>
                    </ReferenceManyField>
                </Section>
            </Box>
        </Box>
    );
};

export const UserShow = () => (
    <Show title={<UserTitle />} actions={false} component="div">
        <UserShowContent />
    </Show>
);
