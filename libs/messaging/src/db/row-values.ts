/** Row → JSON helpers shared by the repositories and services (times are ISO-8601 UTC, or null). */
export const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
