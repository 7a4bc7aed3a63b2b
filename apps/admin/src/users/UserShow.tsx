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
    if (record?.deletedAt) return <span>Deleted account {record.id.slice(0, 8)}</span>;
    return <span>User{record ? ` @${record.handle ?? record.id}` : ''}</span>;
};

/**
 * A deleted account (API.md v1.2): what staff still have of it and why. Its evidence stays while
 * its open cases are open or a legal hold stands (PUT /admin/v1/users/:id/legal-hold, admins).
 */
const DeletedAccount = ({ user }: { user: UserRecord }) => (
    <Section title="Deleted account" testId="user-deleted">
        <Typography variant="body2">
            The person deleted this account on {new Date(user.deletedAt!).toLocaleString()}. Their profile reads “Deleted account” and the
            messages they sent are removed for everyone; reports keep their frozen evidence while the case is open or under a legal hold.
        </Typography>
        <Typography variant="body2" sx={{ mt: 1 }}>
            {user.legalHold
                ? `Legal hold since ${new Date(user.legalHold.createdAt).toLocaleString()}: ${user.legalHold.note}`
                : 'No legal hold.'}
        </Typography>
        <Typography variant="body2" sx={{ mt: 1 }}>
            {user.openCaseIds.length === 0 ? 'No open case.' : 'Open cases: '}
            {user.openCaseIds.map((id, i) => (
                <span key={id}>
                    {i > 0 ? ', ' : ''}
                    <a href={`#/cases/${id}/show`}>{id.slice(0, 8)}</a>
                </span>
            ))}
        </Typography>
    </Section>
);

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
                {record.deletedAt && <DeletedAccount user={record} />}
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
