import type { DeliveredEvent, WireEvent } from '@app/messaging/events/event-types';
import { DomainError, RateLimited } from '@app/messaging/errors';
import { toErrorBody, unavailableCode } from '../http/exception.filter';

/** `user:<id>`: every socket of a user joins it, on whichever process holds the socket. */
export const userRoom = (userId: string) => `user:${userId}`;
/** `family:<id>`: every socket opened with an access token of that sign-in (refresh family). */
export const familyRoom = (familyId: string) => `family:${familyId}`;

/** The wire shape, live as in sync: `{type, cursor, ...payload}` (the recipient is the room, not a field). */
export function toWire(delivered: DeliveredEvent): WireEvent {
  return delivered.event;
}

export interface AckError {
  code: string;
  message: string;
  details?: unknown;
  retryAfterSeconds?: number;
}

/** A DomainError as an ack's `error`, the same code and message the REST route would answer. */
export function toAckError(err: unknown): AckError | null {
  if (!(err instanceof DomainError)) {
    // A dependency that is down: the same 503 code REST answers (database_unavailable, ...).
    if (!unavailableCode(err)) return null;
    const { body } = toErrorBody(err);
    return { code: body.code, message: body.message, retryAfterSeconds: 1 };
  }
  const error: AckError = { code: err.code, message: err.message };
  if (err.details !== undefined) error.details = err.details;
  if (err instanceof RateLimited) error.retryAfterSeconds = Math.max(1, Math.ceil(err.retryAfterSeconds));
  return error;
}
