import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule, type Params } from 'nestjs-pino';
import pretty from 'pino-pretty';
import type { Options } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CoreModule } from '@app/messaging/core.module';
import { MessagingModule } from '@app/messaging/messaging.module';
import type { AppConfig } from './config';
import { GlobalExceptionFilter } from './http/exception.filter';
import { HealthController } from './http/health.controller';
import { MetricsController } from './http/metrics';
import { UserAuthGuard, StaffAuthGuard } from './http/auth';
import { AuthController, MeController, UsersController } from './v1/accounts.controller';
import { ExportsController } from './v1/exports.controller';

type PinoHttpOptions = Exclude<NonNullable<Params['pinoHttp']>, unknown[]>;

/**
 * A terminal (LOG_FORMAT=pretty) gets one readable line per entry, written synchronously so
 * lines keep their order with the process's own start-up lines; anything else gets JSON.
 */
function withPrettyStream(config: AppConfig, options: PinoHttpOptions): Params['pinoHttp'] {
  if (config.logFormat !== 'pretty') return options;
  const stream = pretty({
    colorize: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,req,res,responseTime,context',
    messageFormat: '{if context}[{context}] {end}{msg}{if req.method} {req.method} {req.url} {res.statusCode} {responseTime}ms{end}',
  });
  return [options as never, stream];
}

/** A request's id: its own X-Request-Id when well formed, else a new UUID (answered in X-Request-Id). */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

/**
 * pino-http's options: nestjs-pino's request logging. On Fastify the request already has its
 * id (requestId, app.factory.ts) when pino-http sees it, which pino-http keeps.
 */
export function pinoHttpOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    genReqId: (req, res) => {
      const id = requestId(req);
      res.setHeader('x-request-id', id);
      return id;
    },
    // Never log credentials: tokens travel in headers and bodies are not logged at all.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], remove: true },
    autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
  };
}

/**
 * One codebase, roles by env (STYLE.md, convention 4): `api` mounts HTTP and the socket
 * gateway, `worker` registers the BullMQ processors; `npm start` runs both.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, jwtSecret: string, extra: { api?: Type[]; worker?: Type[] } = {}): DynamicModule {
    const api = config.roles.includes('api');
    const worker = config.roles.includes('worker');
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: withPrettyStream(config, pinoHttpOptions(config) as PinoHttpOptions) }),
        CoreModule.forRoot(config, jwtSecret),
        MessagingModule,
        TerminusModule,
        ...(api ? (extra.api ?? []) : []),
        ...(worker ? (extra.worker ?? []) : []),
      ],
      controllers: [
        HealthController,
        MetricsController,
        ...(api ? [AuthController, MeController, UsersController, ExportsController] : []),
      ],
      providers: [{ provide: APP_FILTER, useClass: GlobalExceptionFilter }, UserAuthGuard, StaffAuthGuard],
    };
  }
}
