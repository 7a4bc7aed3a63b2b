import { DateField, DeleteButton, Show, SimpleShowLayout, TextField, TopToolbar, useRecordContext } from 'react-admin';
import type { BlocklistEntry } from '@backchannel/client/admin';
import { EnumField } from '../common/fields';
import { BlocklistPreview } from './BlocklistPreview';

const Actions = () => (
    <TopToolbar>
        <DeleteButton mutationMode="pessimistic" />
    </TopToolbar>
);

const CurrentMatches = () => {
    const record = useRecordContext<BlocklistEntry>();
    return record ? <BlocklistPreview pattern={record.pattern} kind={record.kind} /> : null;
};

export const BlocklistShow = () => (
    <Show actions={<Actions />}>
        <SimpleShowLayout>
            <TextField source="pattern" sx={{ fontFamily: 'monospace' }} />
            <EnumField source="kind" label="Kind" />
            <TextField source="reason" />
            <TextField source="createdBy" />
            <DateField source="createdAt" showTime />
            <CurrentMatches />
        </SimpleShowLayout>
    </Show>
);
