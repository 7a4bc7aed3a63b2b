import { v7 as uuidv7 } from 'uuid';

/** Ids are UUIDv7: time-ordered, so b-tree inserts stay append-mostly. */
export const newId = (): string => uuidv7();

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A malformed id is treated like an unknown one (404), never passed to PostgreSQL. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID_RE.test(value);
