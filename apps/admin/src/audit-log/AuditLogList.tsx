import { AutocompleteInput, Datagrid, DateField, List, ReferenceInput, SelectInput, TextInput, useRecordContext } from 'react-admin';
import { StaffField } from '../common/fields';
import { AUDIT_ACTIONS, auditActionLabel } from '../lib/describe';
import { userOption } from '../lib/format';
import { AuditSubjectField } from './AuditSubjectField';

const filters = [
    <TextInput key="staffQ" source="staffQ" label="Staff (name or email)" alwaysOn />,
    <ReferenceInput key="subjectId" source="subjectId" reference="users" label="About user" alwaysOn>
        <AutocompleteInput label="About user" optionText={userOption} filterToQuery={q => ({ q })} sx={{ minWidth: 260 }} />
    </ReferenceInput>,
    <SelectInput
        key="action"
        source="action"
        label="What"
        choices={AUDIT_ACTIONS.map(id => ({ id, name: auditActionLabel(id) }))}
        alwaysOn
    />,
];

export const AuditLogList = () => (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={50} title="Audit log">
        <Datagrid rowClick="show" bulkActionButtons={false} empty={<Empty />}>
            <DateField source="createdAt" showTime label="When" />
            <StaffField source="staffId" nameSource="staffName" empty="system" label="Staff" sortable={false} />
            <AuditActionField source="action" label="What" />
            <AuditSubjectField source="subjectId" label="Subject" sortable={false} />
        </Datagrid>
    </List>
);

const Empty = () => <div style={{ padding: 16, color: 'rgba(0,0,0,0.6)' }}>No audit entries match these filters.</div>;

const AuditActionField = ({ source }: { source: string; label?: string }) => {
    const record = useRecordContext();
    if (!record) return null;
    return <span title={String(record[source])}>{auditActionLabel(record[source])}</span>;
};
