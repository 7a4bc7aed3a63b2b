import type { DeliveredEvent, WireEvent } from '@app/messaging/events/event-types';
import { DomainError, RateLimited } from '@app/messaging/errors';
import { eventForViewer } from '@app/messaging/views/message-view';
import { toErrorBody, unavailableCode } from '../http/exception.filter';

/** `user:<id>`: every socket of a user joins it, on whichever process holds the socket. */
export const userRoom = (userId: string) => `user:${userId}`;
/** `v1:<id>` / `pos:<id>`: a user's sockets by the cursors they take (auth.stream; events go to one, typing to userRoom). */
export const v1Room = (userId: string) => `v1:${userId}`;
export const positionsRoom = (userId: string) => `pos:${userId}`;
/** `family:<id>`: every socket opened with an access token of that sign-in (refresh family). */
export const familyRoom = (familyId: string) => `family:${familyId}`;

/**
 * The wire shape, live as in sync: `{type, cursor, ...payload}` (the recipient is the room, not a field);
 * `cursor` the per-user one, or the event's position for a socket in positions mode.
 * A message in it is shown as its recipient sees it (reactions' `me`, a reply's quote: forViewer).
 */
export function toWire(delivered: DeliveredEvent, cursor: string | null = delivered.event.cursor): WireEvent {
  return eventForViewer({ ...delivered.event, cursor: cursor ?? '' }, delivered.recipientId);
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

/**
 * What a refused socket handshake hands socket.io's `next(err)`: a `connect_error` whose
 * `data` is the ack error the REST route would answer; anything unexpected is logged by the
 * caller (`log`) and told as 503 service_unavailable, never as a raw error. Both socket doors
 * (the user gateway and the staff one) refuse through here.
 */
export function handshakeError(err: unknown, log: (err: unknown) => void): Error & { data: AckError } {
  let data = toAckError(err);
  if (!data) {
    log(err);
    data = { code: 'service_unavailable', message: 'The server cannot check your token right now; retry shortly.' };
  }
  return Object.assign(new Error(data.message), { data });
}
