/**
 * Generic rendering helpers for loosely-typed API payloads: the user history
 * sections and the audit log's before/after snapshots.
 */

export interface Table {
    columns: string[];
    rows: Record<string, unknown>[];
}

/** Columns shown first when present, in this order. */
const PREFERRED = [
    'createdAt',
    'action',
    'reason',
    'status',
    'decision',
    'subjectType',
    'handle',
    'senderHandle',
    'recipientHandle',
    'text',
    'note',
    'durationHours',
    'expiresAt',
    'resolution',
    'score',
    'count',
];

const isPlainObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

/**
 * Turns an array of records into a table with at most `maxColumns` columns,
 * preferring human-meaningful fields over ids and nested objects.
 */
export function tabulate(value: unknown, maxColumns = 6): Table {
    const rows = (Array.isArray(value) ? value : []).filter(isPlainObject);
    const seen: string[] = [];
    for (const row of rows.slice(0, 20)) {
        for (const key of Object.keys(row)) if (!seen.includes(key)) seen.push(key);
    }
    const scalarish = (key: string) => rows.some(row => row[key] !== null && row[key] !== undefined && typeof row[key] !== 'object');
    const preferred = PREFERRED.filter(key => seen.includes(key));
    const rest = seen.filter(key => !preferred.includes(key) && key !== 'id' && scalarish(key));
    const columns = [...preferred, ...rest].slice(0, maxColumns);
    if (columns.length === 0 && seen.includes('id')) columns.push('id');
    return { columns, rows };
}

/** A history section can be an array (table), an object (key/value) or a scalar. */
export type SectionShape = 'table' | 'record' | 'scalar' | 'empty';

export function sectionShape(value: unknown): SectionShape {
    if (value === null || value === undefined) return 'empty';
    if (Array.isArray(value)) return value.length ? 'table' : 'empty';
    if (isPlainObject(value)) return Object.keys(value).length ? 'record' : 'empty';
    return 'scalar';
}

export interface FieldChange {
    field: string;
    before: unknown;
    after: unknown;
    kind: 'added' | 'removed' | 'changed' | 'same';
}

const same = (a: unknown, b: unknown): boolean => {
    if (a === b) return true;
    try {
        return JSON.stringify(a) === JSON.stringify(b);
    } catch {
        return false;
    }
};

/** Field-level diff of two snapshots (audit log before/after). */
export function diffSnapshots(before: unknown, after: unknown, includeSame = false): FieldChange[] {
    const b = isPlainObject(before) ? before : {};
    const a = isPlainObject(after) ? after : {};
    const fields: string[] = [];
    for (const key of [...Object.keys(b), ...Object.keys(a)]) if (!fields.includes(key)) fields.push(key);
    const changes: FieldChange[] = fields.map(field => {
        const inBefore = Object.prototype.hasOwnProperty.call(b, field);
        const inAfter = Object.prototype.hasOwnProperty.call(a, field);
        const kind: FieldChange['kind'] = !inBefore ? 'added' : !inAfter ? 'removed' : same(b[field], a[field]) ? 'same' : 'changed';
        return { field, before: b[field], after: a[field], kind };
    });
    return includeSame ? changes : changes.filter(change => change.kind !== 'same');
}
