import { Link, useRecordContext } from 'react-admin';
import { humanize } from '../lib/format';

const RESOURCE: Record<string, string> = {
    user: 'users',
    report: 'reports',
    appeal: 'appeals',
    blocklist: 'blocklist',
    action: 'actions',
    link: 'links',
};

/** The subject by name ("@bob · Bob", "staff Ann", "Rule \"spam words\"", "Case about @bob"), else its type with a short id; the full id on hover. */
export const AuditSubjectField = (_props: { source: string; label?: string; sortable?: boolean }) => {
    const r = useRecordContext();
    if (!r || !r.subjectId) return <span>—</span>;
    const id = String(r.subjectId);
    const type = String(r.subjectType ?? '');
    let text: string;
    if (type === 'user' && r.subjectHandle)
        text = `@${r.subjectHandle}${r.subjectName && r.subjectName !== r.subjectHandle ? ` · ${r.subjectName}` : ''}`;
    else if (type === 'staff' && r.subjectName) text = `staff ${r.subjectName}`;
    else if (r.subjectLabel) text = String(r.subjectLabel);
    else text = `${humanize(type || 'subject')} ${id.slice(0, 8)}`;
    const resource = RESOURCE[type];
    return resource ? (
        <Link
            to={`/${resource}/${encodeURIComponent(id)}/show`}
            title={`${type} id ${id}`}
            onClick={(e: { stopPropagation: () => void }) => e.stopPropagation()}
            data-testid="audit-subject"
        >
            {text}
        </Link>
    ) : (
        <span title={`${type} id ${id}`} data-testid="audit-subject">
            {text}
        </span>
    );
};
