import { Inject, Injectable } from '@nestjs/common';
import type { RedisClient } from '../redis';
import { APP_CONFIG, type AppConfig } from '../config';
import { Db } from '../db/db.service';
import { familiesRevokedWithin } from './accounts.repository';
import { ServiceUnavailable, SessionRevoked } from '../errors';
import { REDIS } from '../redis';

/** Published with a family id when a sign-in (refresh family) ends: logout or reuse detection. */
export const FAMILY_REVOKED_CHANNEL = 'family-revoked';
/** Kept a little past the access-token lifetime, for clocks that disagree by a few seconds. */
const SKEW_MS = 5000;

/**
 * "Was this sign-in ended?", answered from memory on every authenticated request and socket
 * action: an access token names its refresh family (`fid`), and a family revoked by logout or
 * by refresh-token reuse must stop its access tokens at once, not when they expire.
 *
 * PostgreSQL is the record (refresh_token.revoked_at); each API process holds the families
 * revoked within the last access-token lifetime (older ones can have no live access token),
 * loads them when its subscriber (AccountWatch) connects or reconnects, and learns new ones
 * from the `family-revoked` message. So the check costs a Map lookup and the send hot path
 * gains no round trip; a process that missed messages while its subscriber was down catches
 * up from the database when it reconnects.
 */
@Injectable()
export class SessionRevocations {
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly db: Db,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get lifetimeMs() {
    return this.config.accessTokenTtlSeconds * 1000 + SKEW_MS;
  }

  isRevoked(familyId: string): boolean {
    const until = this.revoked.get(familyId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.revoked.delete(familyId);
    return false;
  }

  /** Throws SessionRevoked (401 session_revoked) for an access token of an ended sign-in. */
  assertLive(claims: { fid?: string }): void {
    if (claims.fid !== undefined && this.isRevoked(claims.fid)) throw new SessionRevoked();
  }

  /** Remembers a family as revoked (from a message, or locally) until its access tokens are all expired. */
  remember(familyId: string, revokedAt = Date.now()): void {
    this.revoked.set(familyId, revokedAt + this.lifetimeMs);
  }

  /** Call after the family's refresh tokens are revoked in the database: every API process stops its access tokens and sockets. */
  async announce(familyId: string): Promise<void> {
    this.remember(familyId);
    try {
      await this.redis.publish(`${this.config.redisPrefix}${FAMILY_REVOKED_CHANNEL}`, familyId);
    } catch {
      throw new ServiceUnavailable('The sign-out could not reach every server (Redis); retry shortly.');
    }
  }

  /** Loads the families revoked recently enough to still have live access tokens (boot, subscriber reconnect). */
  async load(): Promise<void> {
    const rows = await familiesRevokedWithin(this.db, this.lifetimeMs / 1000);
    const now = Date.now();
    for (const [id, until] of this.revoked) if (until <= now) this.revoked.delete(id);
    for (const r of rows) {
      const at = new Date(r.revokedAt).getTime();
      if (at + this.lifetimeMs > (this.revoked.get(r.familyId) ?? 0)) this.remember(r.familyId, at);
    }
  }
}
