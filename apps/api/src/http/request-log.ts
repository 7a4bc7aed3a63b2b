import type { FastifyInstance } from 'fastify';
import { pino, stdSerializers, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../config';

/** The request a request's logger is for (on the logger object itself, read by the mixin). */
const REQUEST = Symbol('request');
type RequestLogger = Logger & { [REQUEST]?: IncomingMessage };
type RawRequest = IncomingMessage & { id?: string; log?: Logger };

/** Paths whose answers are not logged (probes and scrapes), as pino-http's autoLogging.ignore had them. */
const QUIET_PATHS = new Set(['/health', '/metrics']);

/**
 * The process's root logger: what pino-http built for nestjs-pino (same level, serializers,
 * redaction, pretty stream on a terminal), plus a mixin that adds the request (`req`) to every
 * line written through a request's logger.
 *
 * pino-http gave each request a child logger bound to the whole request (`child({ req })`):
 * pino serializes, redacts and stringifies a child's bindings when the child is made, so every
 * request paid for it whether or not anything was logged (at LOG_LEVEL=warn nothing is): ~28 µs
 * per request in a microbenchmark of pino-http's middleware (now ~0.1 µs); in bench/send-cost.js's
 * REST profile (SEND_COST_PROFILE=1, whose overhead inflates it) pino, its redaction and pino-http
 * took ~180 µs of self time per send, now none of them in the top 25 areas. Here a
 * request's logger is `Object.create(root)` carrying the request under a symbol: the level
 * methods are the root's (a disabled level is pino's no-op), and the request is serialized and
 * redacted by the mixin only when a line is actually written, into the same `req` field.
 */
export function createRootLogger(config: Pick<AppConfig, 'logLevel' | 'logFormat'>, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: config.logLevel,
    serializers: { req: stdSerializers.req, res: stdSerializers.res, err: stdSerializers.err },
    // Never log credentials: tokens travel in headers and bodies are not logged at all.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], remove: true },
    mixin: (_merge, _level, logger) => {
      const req = (logger as RequestLogger)[REQUEST];
      return req ? { req } : {};
    },
  };
  if (destination) return pino(options, destination);
  if (config.logFormat !== 'pretty') return pino(options);
  // A terminal gets one readable line per entry, written synchronously so lines keep their
  // order with the process's own start-up lines.
  const stream = pretty({
    colorize: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,req,res,responseTime,context',
    messageFormat: '{if context}[{context}] {end}{msg}{if req.method} {req.method} {req.url} {res.statusCode} {responseTime}ms{end}',
  });
  return pino(options, stream);
}

/** A request's logger: the root's methods, the request added to a line only when one is written. */
export function requestLogger(root: Logger, req: IncomingMessage): Logger {
  const log = Object.create(root) as RequestLogger;
  log[REQUEST] = req;
  return log;
}

/**
 * Request logging on Fastify, in place of pino-http: each request gets its logger on the raw
 * request (`req.raw.log`, which nestjs-pino's middleware puts in its context for the request's
 * services) before any middleware runs, and its answer is logged as pino-http logged it (at
 * info: `request completed` with res and responseTime, or `request errored` with err for a
 * 5xx), skipped without building anything when info is not enabled.
 */
export function useRequestLog(fastify: FastifyInstance, root: Logger): void {
  fastify.addHook('onRequest', (req, _reply, done) => {
    const raw = req.raw as RawRequest;
    raw.id = req.id;
    raw.log = requestLogger(root, raw);
    done();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    if (!root.isLevelEnabled('info')) return done();
    const raw = req.raw as RawRequest;
    if (QUIET_PATHS.has(raw.url ?? '')) return done();
    const log = raw.log ?? requestLogger(root, raw);
    const responseTime = Math.round(reply.elapsedTime);
    const res = reply.raw;
    if (res.statusCode >= 500) {
      log.info({ res, err: new Error(`failed with status code ${res.statusCode}`), responseTime }, 'request errored');
    } else {
      log.info({ res, responseTime }, 'request completed');
    }
    done();
  });
}
