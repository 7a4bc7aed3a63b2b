import { Box } from '@mui/material';
import { DateField, NumberField, Show, SimpleShowLayout, TextField, useRecordContext } from 'react-admin';
import { LinkSourcesField, MarkerField, VerdictField } from '../common/fields';
import { Section } from '../common/Section';
import { useCan } from '../common/useApi';
import { LinkOverrideForm } from './LinkOverrideForm';

const LinkTitle = () => {
    const record = useRecordContext();
    return <span>Link {record?.host ?? ''}</span>;
};

const OverrideSection = () => {
    const canLabel = useCan('links', 'label');
    const record = useRecordContext();
    if (!canLabel || !record) return null;
    return (
        <Box sx={{ mt: 2 }}>
            <Section title="Override verdict">
                <LinkOverrideForm key={`${record.id}-${record.verdict}`} />
            </Section>
        </Box>
    );
};

export const LinkShow = () => (
    <Show title={<LinkTitle />}>
        <SimpleShowLayout>
            <TextField source="url" sx={{ wordBreak: 'break-all', fontFamily: 'monospace' }} />
            <TextField source="host" />
            <VerdictField source="verdict" label="Verdict" />
            <TextField source="reason" emptyText="—" />
            <TextField source="rule" emptyText="—" />
            <LinkSourcesField source="sources" label="Checked by" />
            <MarkerField source="overridden" label="Set by staff" />
            <NumberField source="seenCount" />
            <DateField source="lastSeenAt" showTime />
        </SimpleShowLayout>
        <Box sx={{ px: 2, pb: 2 }}>
            <OverrideSection />
        </Box>
    </Show>
);
