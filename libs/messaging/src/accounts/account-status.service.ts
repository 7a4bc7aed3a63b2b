import { Inject, Injectable } from '@nestjs/common';
import type { RedisClient } from '../redis';
import { Db } from '../db/db.service';
import { standing } from './accounts.repository';
import { AccountSuspended, Unauthorized } from '../errors';
import { REDIS } from '../redis';

const TTL_SECONDS = 60;
/** In-process memory of an answer; the account-changed message drops it at once. */
const LOCAL_TTL_MS = 2000;
const LOCAL_MAX = 100_000;
/** Published when an account's standing changes so gateways drop that user's sockets at once. */
export const ACCOUNT_CHANGED_CHANNEL = 'account-changed';

/**
 * Answers "may this account act right now?" on every authenticated request. The answer is
 * cached in Redis, and for two seconds in the process (it saves a Redis round trip on every
 * request and socket send). Whenever staff change the account, changed() deletes the Redis
 * entry and publishes account-changed; every API process drops its own copy on that message
 * (AccountWatch), so a suspension takes effect on the very next request everywhere. Should
 * that message be lost (a Redis outage), a process is stale for two seconds at most.
 */
@Injectable()
export class AccountStatusService {
  constructor(
    private readonly db: Db,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  private readonly local = new Map<string, { status: 'active' | 'suspended' | 'missing'; until: number }>();

  private key(userId: string) {
    return `acct:${userId}`;
  }

  /** Drops this process's copy (on account-changed). */
  forget(userId: string): void {
    this.local.delete(userId);
  }

  async status(userId: string): Promise<'active' | 'suspended' | 'missing'> {
    const mine = this.local.get(userId);
    if (mine && mine.until > Date.now()) return mine.status;
    const status = await this.readStatus(userId);
    if (this.local.size >= LOCAL_MAX) this.local.clear();
    this.local.set(userId, { status, until: Date.now() + LOCAL_TTL_MS });
    return status;
  }

  private async readStatus(userId: string): Promise<'active' | 'suspended' | 'missing'> {
    const cached = await this.redis.get(this.key(userId)).catch(() => null);
    if (cached === 'active' || cached === 'suspended' || cached === 'missing') return cached;
    const row = await standing(this.db, userId);
    // The driver may hand timestamptz over as a string: normalise before comparing.
    const until = row?.suspendedUntil ? new Date(row.suspendedUntil) : null;
    let status: 'active' | 'suspended' | 'missing' = 'missing';
    let ttl = TTL_SECONDS;
    if (row) {
      const timedOut = row.status === 'suspended' && until !== null && until.getTime() <= Date.now();
      status = row.status === 'active' || timedOut ? 'active' : 'suspended';
      if (status === 'suspended' && until) {
        ttl = Math.max(1, Math.min(TTL_SECONDS, Math.ceil((until.getTime() - Date.now()) / 1000)));
      }
    }
    await this.redis.set(this.key(userId), status, 'EX', ttl).catch(() => undefined);
    return status;
  }

  /**
   * `fresh`: skip this process's own copy and read the shared one (Redis, else PostgreSQL).
   * For a socket handshake: another process's adapter can drop a suspended user's sockets here
   * before this process's subscriber has heard account-changed, and the user reconnecting at
   * once must not be let in on a copy that message was about to drop.
   */
  async assertActive(userId: string, opts: { fresh?: boolean } = {}): Promise<void> {
    if (opts.fresh) this.local.delete(userId);
    const s = await this.status(userId);
    if (s === 'suspended') throw new AccountSuspended();
    if (s === 'missing') throw new Unauthorized('This account no longer exists.');
  }

  /**
   * Call after any change of app_user.status: drops the caches and tells every gateway.
   * Done twice ("delayed double delete"): a status() that read the row just before the
   * change committed could otherwise re-cache the old answer right after the first delete.
   */
  async changed(userId: string): Promise<void> {
    await this.invalidate(userId);
    setTimeout(() => void this.invalidate(userId).catch(() => undefined), 250).unref();
  }

  private async invalidate(userId: string): Promise<void> {
    this.local.delete(userId);
    await this.redis.del(this.key(userId));
    await this.redis.publish(`${this.redis.options.keyPrefix ?? ''}${ACCOUNT_CHANGED_CHANNEL}`, userId);
  }
}
