import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import type { AuditEntry } from '@backchannel/client/admin';
import { DateField, Labeled, Show, SimpleShowLayout, TextField, useRecordContext } from 'react-admin';
import { RawToggle, StaffField } from '../common/fields';
import { auditActionLabel } from '../lib/describe';
import { AuditSubjectField } from './AuditSubjectField';

const AuditAction = (_: { label?: string }) => {
    const record = useRecordContext<AuditEntry>();
    return (
        <Labeled label="What">
            <span title={String(record?.action ?? '')}>{auditActionLabel(record?.action)}</span>
        </Labeled>
    );
};
import { shortValue } from '../lib/format';
import { diffSnapshots } from '../lib/tabulate';

const KIND_COLOR: Record<string, string> = {
    added: 'success.main',
    removed: 'error.main',
    changed: 'warning.main',
    same: 'text.secondary',
};

const Diff = () => {
    const record = useRecordContext<AuditEntry>();
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
                                <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-word' }}>
                                    {shortValue(change.before, 200)}
                                </TableCell>
                                <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-word' }}>
                                    {shortValue(change.after, 200)}
                                </TableCell>
                            </TableRow>
                        ))}
                    </TableBody>
                </Table>
            )}
        </Labeled>
    );
};

const Snapshots = () => {
    const record = useRecordContext<AuditEntry>();
    if (!record) return null;
    return (
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2, width: '100%' }}>
            <Labeled label="Before (raw)">
                <RawToggle value={record.before} label="the state before" testId="audit-before" />
            </Labeled>
            <Labeled label="After (raw)">
                <RawToggle value={record.after} label="the state after" testId="audit-after" />
            </Labeled>
        </Box>
    );
};

export const AuditLogShow = () => (
    <Show>
        <SimpleShowLayout>
            <DateField source="createdAt" showTime label="When" />
            <StaffField source="staffId" nameSource="staffName" empty="system" label="Staff" />
            <TextField source="staffEmail" label="Staff email" emptyText="—" />
            <AuditAction />
            <Labeled label="Subject">
                <AuditSubjectField source="subjectId" />
            </Labeled>
            <Diff />
            <Snapshots />
        </SimpleShowLayout>
    </Show>
);
