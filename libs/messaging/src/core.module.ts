import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { RedisClient } from './redis';
import { APP_CONFIG, type AppConfig } from './config';
import { Db } from './db/db.service';
import { ormConfig } from './orm.config';
import { createRedis, REDIS } from './redis';
import { JWT_SECRET, TokensService } from './accounts/tokens.service';
import { AccountStatusService } from './accounts/account-status.service';
import { AccountsService } from './accounts/accounts.service';
import { SessionRevocations } from './accounts/session-revocations.service';
import { RateLimitsService } from './limits/rate-limits.service';
import { ExternalAccountsService } from './accounts/external-accounts.service';
import { UserTokensService } from './accounts/user-tokens.service';

/**
 * Shared infrastructure for every role (API and workers): configuration, PostgreSQL through
 * MikroORM, Redis, tokens, account standing and rate limits. Global so feature modules only
 * import what is theirs.
 */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  static forRoot(config: AppConfig, jwtSecret: string): DynamicModule {
    return {
      module: CoreModule,
      imports: [MikroOrmModule.forRoot({ ...ormConfig(config.databaseUrl), registerRequestContext: false })],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: JWT_SECRET, useValue: jwtSecret },
        { provide: REDIS, useFactory: () => createRedis(config) },
        Db,
        TokensService,
        AccountStatusService,
        AccountsService,
        SessionRevocations,
        RateLimitsService,
        ExternalAccountsService,
        UserTokensService,
      ],
      exports: [
        APP_CONFIG,
        JWT_SECRET,
        REDIS,
        Db,
        TokensService,
        AccountStatusService,
        AccountsService,
        SessionRevocations,
        RateLimitsService,
        ExternalAccountsService,
        UserTokensService,
      ],
    };
  }

  async onApplicationShutdown() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
