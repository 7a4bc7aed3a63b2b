import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { DateField, Labeled, Show, SimpleShowLayout, TextField, useRecordContext } from 'react-admin';
import { EnumField, JsonBlock } from '../common/fields';
import { shortValue } from '../lib/format';
import { diffSnapshots } from '../lib/tabulate';

const KIND_COLOR: Record<string, string> = { added: 'success.main', removed: 'error.main', changed: 'warning.main', same: 'text.secondary' };

const Diff = () => {
    const record = useRecordContext();
    if (!record) return null;
    const changes = diffSnapshots(record.before, record.after);
    return (
        <Labeled label="Changes">
            {changes.length === 0 ? (
                <Typography variant="body2" color="text.secondary">
                    No field-level changes recorded.
                </Typography>
            ) : (
                <Table size="small" data-testid="audit-diff">
                    <TableHead>
                        <TableRow>
                            <TableCell>Field</TableCell>
                            <TableCell>Before</TableCell>
                            <TableCell>After</TableCell>
                        </TableRow>
                    </TableHead>
                    <TableBody>
                        {changes.map(change => (
                            <TableRow key={change.field}>
                                <TableCell sx={{ color: KIND_COLOR[change.kind], fontWeight: 600 }}>{change.field}</TableCell>
                                <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-word' }}>{shortValue(change.before, 200)}</TableCell>
                                <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-word' }}>{shortValue(change.after, 200)}</TableCell>
                            </TableRow>
                        ))}
                    </TableBody>
                </Table>
            )}
        </Labeled>
    );
};

const Snapshots = () => {
    const record = useRecordContext();
    if (!record) return null;
    return (
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2, width: '100%' }}>
            <Labeled label="Before">
                <JsonBlock value={record.before} />
            </Labeled>
            <Labeled label="After">
                <JsonBlock value={record.after} />
            </Labeled>
        </Box>
    );
};

export const AuditLogShow = () => (
    <Show>
        <SimpleShowLayout>
            <DateField source="createdAt" showTime />
            <TextField source="staffEmail" label="Staff" emptyText="system" />
            <TextField source="staffId" emptyText="—" />
            <TextField source="action" />
            <EnumField source="subjectType" label="Subject type" />
            <TextField source="subjectId" />
            <Diff />
            <Snapshots />
        </SimpleShowLayout>
    </Show>
);
