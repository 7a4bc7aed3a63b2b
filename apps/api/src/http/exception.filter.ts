import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@app/messaging/errors';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** Socket-level failures to reach a dependency (refused, reset, unreachable, timed out). */
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** SQLSTATEs meaning "the database cannot serve you now": connection exceptions (08…), shutting down or starting (57P01–57P03), too many connections (53300). */
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;
const PG_LOST = /^(Connection terminated|Client has encountered a connection error|Knex: Timeout acquiring a connection)/;

function databasePort(): string {
  try {
    return new URL(process.env.DATABASE_URL ?? '').port || '5432';
  } catch {
    return '5432';
  }
}

/**
 * A dependency that is down is the server's condition, not a bug: 503 with a stable code
 * (database_unavailable for PostgreSQL, service_unavailable for anything else), never a 500.
 */
export function unavailableCode(err: unknown): 'database_unavailable' | 'service_unavailable' | null {
  for (let e: any = err, depth = 0; e && typeof e === 'object' && depth < 4; e = e.cause ?? e.previous, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (
      e.name === 'ConnectionException' ||
      e.name === 'KnexTimeoutError' ||
      PG_UNAVAILABLE.test(code) ||
      PG_LOST.test(String(e.message ?? ''))
    )
      return 'database_unavailable';
    if (CONNECTION_ERRNOS.has(code))
      return e.port !== undefined && String(e.port) === databasePort() ? 'database_unavailable' : 'service_unavailable';
  }
  return null;
}

const TOO_LARGE: ErrorBody = { statusCode: 413, code: 'payload_too_large', message: 'The request body is larger than 64 KiB.' };

/**
 * Maps every error to the contract's shape in one place (STYLE.md, convention 2).
 * Anything unrecognised is a 500 with a generic message and is logged with the request id;
 * bad input must never reach that branch (the fuzz test proves it).
 */
export function toErrorBody(err: unknown): { body: ErrorBody; headers?: Record<string, string> } {
  if (err instanceof DomainError) {
    const body: ErrorBody = { statusCode: err.status, code: err.code, message: err.message };
    if (err.details !== undefined) body.details = err.details;
    return { body, headers: err.headers };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse() as any;
    if (status === 404 && typeof res?.message === 'string' && res.message.startsWith('Cannot ')) {
      return { body: { statusCode: 404, code: 'not_found', message: 'No such route.' } };
    }
    // Fastify's body limit (FST_ERR_CTP_BODY_TOO_LARGE, which Nest turns into an HttpException).
    if (status === 413) return { body: TOO_LARGE };
    const message = typeof res === 'string' ? res : Array.isArray(res?.message) ? res.message.join('; ') : (res?.message ?? err.message);
    const body: ErrorBody = { statusCode: status, code: res?.code ?? CODE_BY_STATUS[status] ?? `http_${status}`, message };
    if (res?.details) body.details = res.details;
    return { body };
  }
  // The body parser's errors (json-depth.ts, typed as body-parser's were) and other http-errors style errors carry their own 4xx status.
  const e = err as any;
  if (e && typeof e === 'object') {
    if (e.type === 'entity.parse.failed') {
      return { body: { statusCode: 400, code: 'invalid_json', message: 'The request body is not valid JSON.' } };
    }
    if (e.type === 'entity.too.large') return { body: TOO_LARGE };
    const status = Number(e.status ?? e.statusCode);
    if (status >= 400 && status < 500) {
      return {
        body: { statusCode: status, code: CODE_BY_STATUS[status] ?? 'invalid_request', message: String(e.message ?? 'Bad request') },
      };
    }
  }
  const unavailable = unavailableCode(err);
  if (unavailable === 'database_unavailable') {
    return {
      body: {
        statusCode: 503,
        code: unavailable,
        message: 'The database is unavailable right now; retry shortly (with the same clientId for a send).',
      },
      headers: { 'Retry-After': '1' },
    };
  }
  if (unavailable)
    return {
      body: { statusCode: 503, code: unavailable, message: 'A dependency is unavailable right now; retry shortly.' },
      headers: { 'Retry-After': '1' },
    };
  return { body: { statusCode: 500, code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' } };
}

const errorLogger = new Logger('Errors');

/** Answers a failed request with the contract's error shape; a 5xx is logged with the request id. */
export function renderError(err: unknown, req: FastifyRequest, res: FastifyReply): void {
  const { body, headers } = toErrorBody(err);
  if (body.statusCode >= 500) {
    errorLogger.error({ err, reqId: req.id, route: `${req.method} ${req.url.split('?')[0]}` }, 'unhandled error');
  }
  if (res.sent || res.raw.headersSent) return;
  if (headers) for (const [k, v] of Object.entries(headers)) res.header(k, v);
  res.status(body.statusCode).send(body);
}

@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') throw err;
    const ctx = host.switchToHttp();
    renderError(err, ctx.getRequest<FastifyRequest>(), ctx.getResponse<FastifyReply>());
  }
}
