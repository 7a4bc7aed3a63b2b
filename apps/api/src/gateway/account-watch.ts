import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Server } from 'socket.io';
import { ACCOUNT_CHANGED_CHANNEL, AccountStatusService } from '@app/messaging/accounts/account-status.service';
import { FAMILY_REVOKED_CHANNEL, SessionRevocations } from '@app/messaging/accounts/session-revocations.service';
import { APP_CONFIG, type AppConfig } from '@app/messaging/config';
import { isUuid } from '@app/messaging/ids';
import { redisClient, type RedisClient } from '@app/messaging/redis';
import { familyRoom, userRoom } from './wire';

/**
 * Drops a user's sockets when their account stops being active. AccountStatusService.changed
 * publishes on `${REDIS_PREFIX}account-changed`; every API process listens on its own
 * subscriber connection, re-reads the status and disconnects the user's room. With the Redis
 * adapter the disconnect reaches every process, so one listener acting would be enough; all of
 * them acting is harmless and covers a process whose subscriber missed the message.
 *
 * The same connection hears `${REDIS_PREFIX}family-revoked` (logout, refresh-token reuse):
 * the family is remembered as ended (SessionRevocations) and its sockets are dropped. Each time
 * the subscriber (re)connects, the recently ended families are re-read from PostgreSQL, so
 * messages missed while it was away are made up for.
 */
@Injectable()
export class AccountWatch implements OnApplicationShutdown {
  private readonly logger = new Logger(AccountWatch.name);
  private subscriber: RedisClient | null = null;

  constructor(
    private readonly status: AccountStatusService,
    private readonly sessions: SessionRevocations,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  start(server: Server) {
    if (this.subscriber) return;
    const channel = `${this.config.redisPrefix}${ACCOUNT_CHANGED_CHANNEL}`;
    const families = `${this.config.redisPrefix}${FAMILY_REVOKED_CHANNEL}`;
    // On a cluster: classic pub/sub, which the cluster bus forwards to every node (rare messages).
    const sub = redisClient(this.config, { maxRetriesPerRequest: null });
    this.subscriber = sub;
    let subscribed = false;
    sub.on('error', (err) => this.logger.warn(`account-changed subscriber: ${err.message}`));
    sub.subscribe(channel, families).then(
      () => {
        subscribed = true;
        void this.catchUp();
      },
      (err) => this.logger.warn(`cannot subscribe to ${channel}: ${err.message}`),
    );
    // After a reconnect (ioredis subscribes again by itself): read what was missed meanwhile.
    sub.on('ready', () => subscribed && void this.catchUp());
    sub.on('message', (ch, id) => {
      if (!isUuid(id)) return;
      if (ch === channel) {
        this.status.forget(id);
        void this.recheck(server, id);
      } else if (ch === families) {
        this.sessions.remember(id);
        server.in(familyRoom(id)).disconnectSockets(true);
      }
    });
  }

  private async catchUp() {
    try {
      await this.sessions.load();
    } catch (err) {
      this.logger.warn(`loading ended sign-ins failed: ${(err as Error).message}`);
    }
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
