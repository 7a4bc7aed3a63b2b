import { UnrecoverableError } from 'bullmq';
import { isUuid } from '@app/messaging/ids';

/**
 * A job's id field, checked: a malformed payload fails for good (UnrecoverableError skips
 * the retries) instead of reaching PostgreSQL or being retried forever.
 */
export function payloadId(data: unknown, field: string): string {
  const value = (data as Record<string, unknown> | null)?.[field];
  if (!isUuid(value)) throw new UnrecoverableError(`job payload: ${field} must be a UUID, got ${JSON.stringify(value)}`);
  return value;
}

/** A job's non-empty list of ids (at most `max`), each checked like payloadId. */
export function payloadIds(data: unknown, field: string, max = 1000): string[] {
  const value = (data as Record<string, unknown> | null)?.[field];
  if (!Array.isArray(value) || value.length === 0 || value.length > max || !value.every((v) => isUuid(v))) {
    throw new UnrecoverableError(`job payload: ${field} must be 1 to ${max} UUIDs, got ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return value as string[];
}

export function unknownJob(queue: string, name: string): never {
  throw new UnrecoverableError(`queue ${queue} has no handler for job "${name}"`);
}

/** An optional non-negative integer cursor (e.g. the id a batch ended at); absent → 0. */
export function payloadCursor(data: unknown, field: string): number {
  const value = (data as Record<string, unknown> | null)?.[field];
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw new UnrecoverableError(`job payload: ${field} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return value as number;
}
