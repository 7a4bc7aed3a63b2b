import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { Db, PG_UNIQUE_VIOLATION } from '../db/db.service';
import { AccountStatusService } from './account-status.service';
import { HandleTaken, InvalidRequest } from '../errors';
import { newId } from '../ids';
import * as repo from './accounts.repository';
import type { ExternalUserRow } from './rows';

/** The host app's id for an account or a room: 1-255 printable ASCII characters, no spaces. */
export const EXTERNAL_ID = /^[\x21-\x7e]{1,255}$/;
export const EXTERNAL_ID_PATTERN = '^[\\x21-\\x7e]{1,255}$';

export type ExternalUser = ExternalUserRow;

const HANDLE_MAX = 30;
const DISPLAY_NAME_MAX = 60;
/** Remembered externalId → user id (they never change); bounded, cleared when full. */
const KNOWN_MAX = 50_000;

export function assertExternalId(raw: unknown, field = 'externalId'): string {
  if (typeof raw !== 'string' || !EXTERNAL_ID.test(raw)) {
    throw new InvalidRequest(`${field} must be 1-255 printable ASCII characters without spaces.`, [
      { field, problems: ['1-255 printable ASCII characters, no spaces'] },
    ]);
  }
  return raw;
}

/**
 * A handle from an identity provider's `preferred_username` (or `name`): lowercased, accents
 * dropped, anything outside a-z 0-9 _ turned into `_`, at most 30 characters; too short
 * becomes `user_<digits>`. A taken handle gets a random `_NNNN` suffix (see provision).
 */
export function handleFromClaim(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : '';
  const base = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, HANDLE_MAX);
  return base.length >= 3 ? base : `user_${randomInt(100000, 999999)}`;
}

export function displayNameFromClaim(raw: unknown, fallback: string): string {
  const text =
    typeof raw === 'string'
      ? raw
          .replace(/[\u0000-\u001f\u007f]/g, ' ')
          .replace(/\s+/g, ' ')
          .trim()
      : '';
  return [...(text || fallback)].slice(0, DISPLAY_NAME_MAX).join('');
}

/**
 * Accounts that belong to the host app (issue #21): created or updated by the host's
 * backend (PUT /platform/v1/users/:externalId) or provisioned from a host-issued token.
 * They have no password. One row per externalId, whatever the concurrency: the unique
 * index decides, and an upsert that lost a race on it is retried once as an update.
 */
@Injectable()
export class ExternalAccountsService {
  constructor(
    private readonly db: Db,
    private readonly status: AccountStatusService,
  ) {}

  private readonly known = new Map<string, string>();

  /** 201 vs 200 is `created`; an identical repeat writes nothing. */
  async upsert(externalId: string, input: { handle: string; displayName: string }): Promise<{ user: ExternalUser; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const written = await this.db.tx(async (q) => {
          // A deleted account's handle is held for HANDLE_HOLD_DAYS, for the host's accounts as for registration.
          await repo.lockHandle(q, input.handle);
          if (await repo.handleHeld(q, input.handle)) throw new HandleTaken();
          return repo.upsertExternalUser(q, { id: newId(), handle: input.handle, displayName: input.displayName, externalId });
        });
        if (written) return written;
        // Nothing to change: the row as it is.
        const same = await repo.externalUser(this.db, externalId);
        if (same) return { user: same, created: false };
      } catch (err) {
        const pg = err as { code?: string; constraint?: string } | null;
        if (pg?.code !== PG_UNIQUE_VIOLATION) throw err;
        // Two first PUTs of one externalId can trip over the handle index before the
        // externalId arbiter sees the other row; the retry then takes the update path.
        if (attempt >= 1 || pg.constraint !== 'app_user_handle_key') throw new HandleTaken();
      }
    }
  }

  /**
   * The user behind a host-issued token's `sub`, created on first sight from its
   * `preferred_username` and `name` claims. A handle collision takes a random suffix.
   */
  async provision(externalId: string, claims: { preferredUsername?: unknown; name?: unknown }): Promise<string> {
    // This process's memory of the id, unless that account was deleted since (its externalId
    // is then free: a token for it provisions a new account, as on a process that never saw it).
    const cached = this.known.get(externalId);
    if (cached && (await this.status.status(cached)) !== 'missing') return cached;
    if (cached) this.known.delete(externalId);
    const existing = await repo.userIdByExternalId(this.db, externalId);
    if (existing) return this.remember(externalId, existing);
    const base = handleFromClaim(claims.preferredUsername ?? claims.name);
    const displayName = displayNameFromClaim(claims.name ?? claims.preferredUsername, base);
    for (let attempt = 0; attempt < 8; attempt++) {
      const suffix = attempt === 0 ? '' : `_${randomInt(1000, 99999)}`;
      const handle = `${base.slice(0, HANDLE_MAX - suffix.length)}${suffix}`;
      try {
        const id = await this.db.tx(async (q) => {
          await repo.lockHandle(q, handle);
          // a held handle (a deleted account's) is taken: the next attempt takes a suffix
          if (await repo.handleHeld(q, handle)) return null;
          return (await repo.insertExternalUserIfAbsent(q, { id: newId(), handle, displayName, externalId })) ?? undefined;
        });
        if (id === null) continue;
        if (id) return this.remember(externalId, id);
        // Provisioned by a concurrent request.
        const other = await repo.userIdByExternalId(this.db, externalId);
        if (other) return this.remember(externalId, other);
      } catch (err) {
        if ((err as { code?: string } | null)?.code !== PG_UNIQUE_VIOLATION) throw err;
      }
    }
    throw new HandleTaken('No free handle could be derived from the token; upsert this user through the platform API first.');
  }

  private remember(externalId: string, id: string): string {
    if (this.known.size >= KNOWN_MAX) this.known.clear();
    this.known.set(externalId, id);
    return id;
  }
}
