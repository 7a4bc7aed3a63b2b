import { Box, Button, Chip, Tooltip, Typography } from '@mui/material';
import { useState, type MouseEvent, type ReactNode } from 'react';
import { Link, useGetIdentity, useRecordContext } from 'react-admin';
import { actionLabel } from '../lib/ladder';
import { formatDue, formatPriority, humanize, shortValue, statusColor, verdictColor, type ChipColor } from '../lib/format';
import { linkSourceHint, linkSourceLabel } from '../lib/link-sources';

/** Props react-admin's Datagrid reads from field elements. */
export interface FieldProps {
    source: string;
    label?: string;
    sortable?: boolean;
    sortBy?: string;
}

const get = (record: Record<string, unknown> | undefined, source: string): unknown =>
    record
        ? source
              .split('.')
              .reduce<unknown>(
                  (value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
                  record,
              )
        : undefined;

const stop = (event: MouseEvent) => event.stopPropagation();

export const EnumChip = ({ value, color, label }: { value: unknown; color?: ChipColor; label?: string }) =>
    value === null || value === undefined || value === '' ? (
        <span>—</span>
    ) : (
        <Chip size="small" label={label ?? humanize(value)} color={color ?? statusColor(value)} variant="outlined" />
    );

/** Status-like enum as a coloured chip. */
export const StatusField = ({ source }: FieldProps) => {
    const record = useRecordContext();
    const value = get(record, source);
    return <EnumChip value={value} />;
};

/** Plain enum, humanised ("self_harm" -> "Self harm"). */
export const EnumField = ({ source }: FieldProps) => {
    const record = useRecordContext();
    return <span>{humanize(get(record, source))}</span>;
};

export const ActionNameField = ({ source }: FieldProps) => {
    const record = useRecordContext();
    return <span>{actionLabel(get(record, source))}</span>;
};

export const PriorityField = ({ source }: FieldProps) => {
    const record = useRecordContext();
    const { label, color } = formatPriority(get(record, source));
    return <Chip size="small" label={label} color={color} data-testid="priority" />;
};

/** SLA: "due in 2h" / "overdue by 30m" from dueAt + overdue. */
export const DueField = ({ source }: FieldProps) => {
    const record = useRecordContext();
    if (!record) return null;
    if (record.status === 'resolved')
        return (
            <Typography variant="body2" color="text.secondary">
                —
            </Typography>
        );
    const { label, overdue } = formatDue(get(record, source), Date.now(), record.overdue);
    return (
        <Typography
            variant="body2"
            color={overdue ? 'error' : 'text.primary'}
            sx={{ fontWeight: overdue ? 600 : 400 }}
            data-overdue={overdue}
        >
            {label}
        </Typography>
    );
};

export const VerdictChip = ({ verdict, label, title }: { verdict: unknown; label?: ReactNode; title?: string }) => {
    const chip = (
        <Chip
            size="small"
            label={label ?? humanize(verdict || 'unknown')}
            color={verdictColor(verdict)}
            variant={verdict === 'pending' || !verdict ? 'outlined' : 'filled'}
            data-testid="link-verdict"
            data-verdict={String(verdict ?? 'unknown')}
        />
    );
    return title ? <Tooltip title={title}>{chip}</Tooltip> : chip;
};

export const VerdictField = ({ source }: FieldProps) => {
    const record = useRecordContext();
    return <VerdictChip verdict={get(record, source)} />;
};

/** A link verdict's sources (the API's `sources`), each a chip named in words, in the order asked; a dash while pending. */
export const LinkSourcesField = ({ source }: FieldProps) => {
    const record = useRecordContext();
    const value = get(record, source);
    const sources = Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
    if (!sources.length) return <span>—</span>;
    return (
        <Box
            component="ul"
            aria-label="Sources consulted"
            sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5, m: 0, p: 0, listStyle: 'none' }}
        >
            {sources.map(s => (
                <li key={s}>
                    <Tooltip title={linkSourceHint(s)}>
                        <Chip size="small" variant="outlined" label={linkSourceLabel(s)} />
                    </Tooltip>
                </li>
            ))}
        </Box>
    );
};

/**
 * Link to a user's page, showing "@handle · Display name" when the record has them; the id
 * is on hover (title) and copied by the copy button's neighbour, so staff never read uuids.
 */
export const UserLinkField = ({
    source,
    handleSource,
    nameSource,
    handle: knownHandle,
}: FieldProps & { handleSource?: string; nameSource?: string; handle?: string }) => {
    const record = useRecordContext();
    const id = get(record, source);
    if (id === null || id === undefined || id === '') return <span>—</span>;
    const handle = knownHandle || (handleSource ? get(record, handleSource) : undefined);
    const name = nameSource ? get(record, nameSource) : undefined;
    return (
        <Link to={`/users/${encodeURIComponent(String(id))}/show`} onClick={stop} title={`user id ${String(id)}`} data-testid="user-link">
            {handle ? `@${String(handle)}` : `user ${String(id).slice(0, 8)}`}
            {name && name !== handle ? (
                <Typography component="span" variant="body2" color="text.secondary">{` · ${String(name)}`}</Typography>
            ) : null}
        </Link>
    );
};

/**
 * Link to any record's show page, named in words (`text` from the record, e.g. "Suspend ·
 * 3 Dec 2026"), else as its kind with a short id; the full id is on hover, never the text.
 */
export const RecordLinkField = ({
    source,
    resource,
    text,
    kind,
}: FieldProps & { resource: string; text?: (record: Record<string, unknown>) => string | null | undefined; kind?: string }) => {
    const record = useRecordContext();
    const id = get(record, source);
    if (id === null || id === undefined || id === '') return <span>—</span>;
    const named = record && text ? text(record) : null;
    return (
        <Link
            to={`/${resource}/${encodeURIComponent(String(id))}/show`}
            onClick={stop}
            title={`${kind ?? resource} id ${String(id)}`}
            data-testid="record-link"
        >
            {named || `${kind ?? resource} ${String(id).slice(0, 8)}`}
        </Link>
    );
};

/** A staff member by name ("you" for the signed-in one), the id on hover. */
export const StaffField = ({ source, nameSource, empty = 'unassigned' }: FieldProps & { nameSource?: string; empty?: string }) => {
    const record = useRecordContext();
    const { identity } = useGetIdentity();
    const id = get(record, source);
    if (id === null || id === undefined || id === '')
        return (
            <Typography variant="body2" color="text.secondary">
                {empty}
            </Typography>
        );
    const name = nameSource ? get(record, nameSource) : undefined;
    if (identity && String(identity.id) === String(id))
        return <Chip size="small" color="primary" label={name ? `you (${String(name)})` : 'you'} title={`staff id ${String(id)}`} />;
    return (
        <span title={`staff id ${String(id)}`} data-testid="staff-name">
            {name ? String(name) : `staff ${String(id).slice(0, 8)}`}
        </span>
    );
};

/** A boolean as a neutral marker: "Overridden by staff" as a plain chip, nothing when false. */
export const MarkerField = ({ source, label }: FieldProps & { label: string }) => {
    const record = useRecordContext();
    return get(record, source) === true ? (
        <Chip size="small" variant="outlined" color="info" label={label} data-testid="marker" />
    ) : (
        <span>—</span>
    );
};

/** Truncated text with the full value on hover. */
export const ShortTextField = ({ source, max = 60 }: FieldProps & { max?: number }) => {
    const record = useRecordContext();
    const value = get(record, source);
    const text = shortValue(value, max);
    return (
        <span title={typeof value === 'string' ? value : undefined} style={{ wordBreak: 'break-word' }}>
            {text}
        </span>
    );
};

export const JsonBlock = ({ value }: { value: unknown }) => {
    if (value === null || value === undefined) return <Typography color="text.secondary">—</Typography>;
    let text: string;
    try {
        text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    } catch {
        text = String(value);
    }
    return (
        <Box
            component="pre"
            sx={{
                m: 0,
                p: 1,
                bgcolor: 'action.hover',
                borderRadius: 1,
                fontSize: 12,
                overflow: 'auto',
                maxHeight: 320,
                whiteSpace: 'pre-wrap',
                wordBreak: 'break-word',
            }}
        >
            {text}
        </Box>
    );
};

/** Raw JSON behind a "Show raw data" toggle: the page reads in words first. */
export const RawToggle = ({ value, label = 'raw data', testId }: { value: unknown; label?: string; testId?: string }) => {
    const [open, setOpen] = useState(false);
    if (value === null || value === undefined) return null;
    return (
        <Box data-testid={testId}>
            <Button
                size="small"
                onClick={() => setOpen(o => !o)}
                aria-expanded={open}
                data-testid={testId ? `${testId}-toggle` : undefined}
            >
                {open ? `Hide ${label}` : `Show ${label}`}
            </Button>
            {open ? <JsonBlock value={value} /> : null}
        </Box>
    );
};

export const JsonField = ({ source }: FieldProps) => {
    const record = useRecordContext();
    return <JsonBlock value={get(record, source)} />;
};
