import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { Db } from '../db/db.service';
import { AccountSuspended, Unauthorized } from '../errors';
import { REDIS } from '../redis';

const TTL_SECONDS = 60;
/** Published when an account's standing changes so gateways drop that user's sockets at once. */
export const ACCOUNT_CHANGED_CHANNEL = 'account-changed';

/**
 * Answers "may this account act right now?" on every authenticated request. The answer is
 * cached in Redis and the cache entry is deleted whenever staff change the account, so a
 * suspension takes effect on the very next request in every process.
 */
@Injectable()
export class AccountStatusService {
  constructor(
    private readonly db: Db,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  private key(userId: string) {
    return `acct:${userId}`;
  }

  async status(userId: string): Promise<'active' | 'suspended' | 'missing'> {
    const cached = await this.redis.get(this.key(userId)).catch(() => null);
    if (cached === 'active' || cached === 'suspended' || cached === 'missing') return cached;
    const row = await this.db.one<{ status: string; suspended_until: Date | string | null }>(
      'SELECT status, suspended_until FROM app_user WHERE id = $1',
      [userId],
    );
    // The driver may hand timestamptz over as a string: normalise before comparing.
    const until = row?.suspended_until ? new Date(row.suspended_until) : null;
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

  async assertActive(userId: string): Promise<void> {
    const s = await this.status(userId);
    if (s === 'suspended') throw new AccountSuspended();
    if (s === 'missing') throw new Unauthorized('This account no longer exists.');
  }

  /** Call after any change of app_user.status: drops the cache and tells every gateway. */
  async changed(userId: string): Promise<void> {
    await this.redis.del(this.key(userId));
    await this.redis.publish(`${this.redis.options.keyPrefix ?? ''}${ACCOUNT_CHANGED_CHANNEL}`, userId);
  }
}
