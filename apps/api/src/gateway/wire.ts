import type { DeliveredEvent, WireEvent } from '@app/messaging/events/event-types';
import { DomainError, RateLimited } from '@app/messaging/errors';
import { toErrorBody, unavailableCode } from '../http/exception.filter';

/** `user:<id>`: every socket of a user joins it, on whichever process holds the socket. */
export const userRoom = (userId: string) => `user:${userId}`;

/** The wire shape, live as in sync: `{type, cursor, ...payload}` (the recipient is the room). */
export function toWire(event: DeliveredEvent): WireEvent {
  const { userId: _recipient, ...wire } = event;
  return wire;
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
