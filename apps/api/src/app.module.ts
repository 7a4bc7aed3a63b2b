import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
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
import { createRootLogger } from './http/request-log';

/** A request's id: its own X-Request-Id when well formed, else a new UUID (answered in X-Request-Id). */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

/**
 * One codebase, roles by env (STYLE.md, convention 4): `api` mounts HTTP and the socket
 * gateway, `worker` registers the BullMQ processors; `npm start` runs both.
 */
@Module({})
export class AppModule {
  static forRoot(
    config: AppConfig,
    jwtSecret: string,
    extra: { api?: Type[]; worker?: Type[] } = {},
    rootLogger: Logger = createRootLogger(config),
  ): DynamicModule {
    const api = config.roles.includes('api');
    const worker = config.roles.includes('worker');
    return {
      module: AppModule,
      imports: [
        // The request's logger is set by useRequestLog (http/request-log.ts) on the raw request;
        // nestjs-pino's middleware only runs the request in its context.
        LoggerModule.forRoot({ pinoHttp: { logger: rootLogger }, useExisting: true }),
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
