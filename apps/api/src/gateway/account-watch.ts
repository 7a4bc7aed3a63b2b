import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import type { Server } from 'socket.io';
import { ACCOUNT_CHANGED_CHANNEL, AccountStatusService } from '@app/messaging/accounts/account-status.service';
import { APP_CONFIG, type AppConfig } from '@app/messaging/config';
import { isUuid } from '@app/messaging/ids';
import { userRoom } from './wire';

/**
 * Drops a user's sockets when their account stops being active. AccountStatusService.changed
 * publishes on `${REDIS_PREFIX}account-changed`; every API process listens on its own
 * subscriber connection, re-reads the status and disconnects the user's room. With the Redis
 * adapter the disconnect reaches every process, so one listener acting would be enough; all of
 * them acting is harmless and covers a process whose subscriber missed the message.
 */
@Injectable()
export class AccountWatch implements OnApplicationShutdown {
  private readonly logger = new Logger(AccountWatch.name);
  private subscriber: Redis | null = null;

  constructor(
    private readonly status: AccountStatusService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  start(server: Server) {
    if (this.subscriber) return;
    const channel = `${this.config.redisPrefix}${ACCOUNT_CHANGED_CHANNEL}`;
    const sub = new Redis(this.config.redisUrl, { maxRetriesPerRequest: null });
    this.subscriber = sub;
    sub.on('error', (err) => this.logger.warn(`account-changed subscriber: ${err.message}`));
    sub.subscribe(channel).catch((err) => this.logger.warn(`cannot subscribe to ${channel}: ${err.message}`));
    sub.on('message', (ch, userId) => {
      if (ch !== channel || !isUuid(userId)) return;
      this.status.forget(userId);
      void this.recheck(server, userId);
    });
  }

  private async recheck(server: Server, userId: string) {
    try {
      if ((await this.status.status(userId)) !== 'active') server.in(userRoom(userId)).disconnectSockets(true);
    } catch (err) {
      this.logger.warn(`account re-check for ${userId} failed: ${(err as Error).message}`);
    }
  }

  async onApplicationShutdown() {
    const sub = this.subscriber;
    this.subscriber = null;
    await sub?.quit().catch(() => sub.disconnect());
  }
}
