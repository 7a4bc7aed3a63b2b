/**
 * Fields the API accepts on create/update, per resource. react-admin forms
 * send the whole record (id, createdAt, ...); the API validates bodies
 * strictly, so we strip everything else before sending.
 * Resources not listed are sent unchanged.
 */

export type WriteOperation = 'create' | 'update';

export const WRITABLE_FIELDS: Record<string, Partial<Record<WriteOperation, readonly string[]>>> = {
    staff: {
        create: ['email', 'displayName', 'role', 'password'],
        update: ['email', 'displayName', 'role', 'password'],
    },
    blocklist: {
        create: ['pattern', 'kind', 'reason'],
        update: ['pattern', 'kind', 'reason'],
    },
    links: {
        update: ['verdict', 'reason'],
    },
    templates: {
        create: ['name', 'body', 'facts'],
        update: ['name', 'body', 'facts'],
    },
    rules: {
        create: ['name', 'enabled', 'mode', 'kind', 'patterns', 'appliesTo', 'action', 'reason', 'exemptHandles', 'policy', 'severity'],
        update: ['name', 'enabled', 'mode', 'kind', 'patterns', 'appliesTo', 'action', 'reason', 'exemptHandles', 'policy', 'severity'],
    },
    policies: {
        create: ['key', 'title', 'description', 'category', 'severities'],
        update: ['title', 'description', 'category', 'severities'],
    },
};

/** Keeps only writable fields; drops undefined values and empty passwords. */
export function pickWritable(resource: string, operation: WriteOperation, data: unknown): Record<string, unknown> {
    const record = data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
    const fields = WRITABLE_FIELDS[resource]?.[operation];
    if (!fields) return { ...record };
    const out: Record<string, unknown> = {};
    for (const field of fields) {
        const value = record[field];
        if (value === undefined) continue;
        if (field === 'password' && (value === null || value === '')) continue;
        out[field] = typeof value === 'string' && field !== 'password' ? value.trim() : value;
    }
    return out;
}
