/**
 * Errors as classes carrying the contract's `code` (API.md: program against `code`, never
 * `message`). A REST error body or a socket ack's `error` becomes an ApiError (or one of its
 * subclasses); a request that never got an answer is a NetworkError.
 */
export class BackchannelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The server answered with the contract's error shape `{statusCode, code, message, details?}`. */
export class ApiError extends BackchannelError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** 401: the token is missing, expired or revoked (`unauthorized`, `session_revoked`, `refresh_token_reused`, ...). */
export class AuthError extends ApiError {}
/** 401 `account_suspended`: `details.appealToken` opens GET /v1/notices and /v1/appeals; `details.action` and `details.statement` say why. */
export class AccountSuspendedError extends AuthError {}
/** 404 `not_found`: it does not exist or is not yours to see. */
export class NotFoundError extends ApiError {}
/** 400 `invalid_request` (with `details`), `invalid_text`, `invalid_cursor`. */
export class ValidationError extends ApiError {}
/** 403/409/422: a rule refused (`blocked`, `request_pending_limit`, `group_too_large`, `handle_taken`, ...). */
export class RuleError extends ApiError {}
/** 429 `rate_limited`: retry after `retryAfterSeconds`. */
export class RateLimitedError extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    details: unknown,
    readonly retryAfterSeconds: number,
  ) {
    super(status, code, message, details);
  }
}
/** 410 `cursor_expired`: the stored cursor is older than the server keeps events. */
export class CursorExpiredError extends ApiError {}
/** 5xx: the server or one of its dependencies failed; safe to retry idempotent calls. */
export class ServerError extends ApiError {}

/**
 * A call this client cannot make in its present state; nothing was sent. `code` is stable:
 * - `not_started`: send() or typing() before start() (or after stop()): call start() first;
 * - `signed_out`: signOut() or deleteAccount() dropped a send still waiting in the outbox.
 */
export class ClientStateError extends BackchannelError {
  constructor(
    readonly code: 'not_started' | 'signed_out',
    message: string,
  ) {
    super(message);
  }
}

/** No answer: refused, reset, timed out, offline. Sends are retried through these. */
export class NetworkError extends BackchannelError {
  constructor(readonly cause: unknown) {
    super(`network error: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

export interface ErrorBodyLike {
  statusCode?: number;
  code?: string;
  message?: string;
  details?: unknown;
  retryAfterSeconds?: number;
}

/** The class for a status and body (REST) or an ack error (socket: status inferred from code). */
export function apiError(status: number, body: ErrorBodyLike | null | undefined, retryAfterSeconds?: number): ApiError {
  const code = body?.code ?? `http_${status}`;
  const message = body?.message ?? `HTTP ${status}`;
  const details = body?.details;
  if (status === 429 || code === 'rate_limited') {
    return new RateLimitedError(status || 429, code, message, details, retryAfterSeconds ?? body?.retryAfterSeconds ?? 1);
  }
  if (code === 'account_suspended') return new AccountSuspendedError(status || 401, code, message, details);
  if (status === 401) return new AuthError(status, code, message, details);
  if (status === 404 || code === 'not_found') return new NotFoundError(status || 404, code, message, details);
  if (status === 410 || code === 'cursor_expired') return new CursorExpiredError(status || 410, code, message, details);
  if (status === 400 || code === 'invalid_request' || code === 'invalid_text' || code === 'invalid_cursor') {
    return new ValidationError(status || 400, code, message, details);
  }
  if (status >= 500 || /unavailable|internal/.test(code)) return new ServerError(status || 503, code, message, details);
  return new RuleError(status, code, message, details);
}

/** Worth retrying with the same clientId: no answer, a 5xx, or a rate limit. */
export function isTransient(err: unknown): boolean {
  return err instanceof NetworkError || err instanceof ServerError || err instanceof RateLimitedError;
}
