import { Controller, Get, Inject, Logger } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { MikroORM } from '@mikro-orm/postgresql';
import type { RedisClient } from '@app/messaging/redis';
import { REDIS } from '@app/messaging/redis';
import { ApiErrors } from './api-docs';

/**
 * 200 when PostgreSQL and Redis answer and every committed migration is applied; 503 naming
 * the failing part with a short stable word (unreachable, migrations_pending). The raw error
 * (host names, roles, database names) goes to the log, never to the unauthenticated caller.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly orm: MikroORM,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  /**
   * Liveness: the process answers (its event loop turns). No dependency is checked, so an
   * orchestrator does not restart every API process while PostgreSQL or Redis is down: they
   * recover on their own (the readiness check, `GET /health`, takes them out of rotation).
   */
  @Get('live')
  @ApiOperation({ summary: 'Live: the process answers (no dependency checked; for liveness probes)' })
  @ApiOkResponse({
    description: 'The process answers',
    schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'], additionalProperties: false },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  @ApiOperation({ summary: 'Ready: PostgreSQL and Redis answer and every migration is applied' })
  // Above @HealthCheck(), so it replaces terminus' 503 schema: the filter answers 503 as an ErrorBody (details: each part).
  @ApiErrors({ 503: ['service_unavailable'] })
  @HealthCheck()
  check() {
    return this.health.check([
      async () => {
        const i = this.indicator.check('database');
        try {
          await this.orm.em.getConnection().execute('select 1');
          const pending = (await this.orm.getMigrator().getPendingMigrations()).length;
          return pending === 0 ? i.up() : i.down({ message: 'migrations_pending' });
        } catch (err: any) {
          this.logger.warn(`health: database check failed: ${err?.message ?? err}`);
          return i.down({ message: 'unreachable' });
        }
      },
      async () => {
        const i = this.indicator.check('redis');
        try {
          const pong = await Promise.race([
            this.redis.ping(),
            new Promise<string>((_, reject) => setTimeout(() => reject(new Error('timeout after 1s')), 1000)),
          ]);
          return pong === 'PONG' ? i.up() : i.down({ message: 'unexpected_reply' });
        } catch (err: any) {
          this.logger.warn(`health: redis check failed: ${err?.message ?? err}`);
          return i.down({ message: 'unreachable' });
        }
      },
    ]);
  }
}
