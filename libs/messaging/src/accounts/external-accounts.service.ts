import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { Db, PG_UNIQUE_VIOLATION } from '../db/db.service';
import { HandleTaken, InvalidRequest } from '../errors';
import { newId } from '../ids';

/** The host app's id for an account or a room: 1-255 printable ASCII characters, no spaces. */
export const EXTERNAL_ID = /^[\x21-\x7e]{1,255}$/;
export const EXTERNAL_ID_PATTERN = '^[\\x21-\\x7e]{1,255}$';

export interface ExternalUser {
  id: string;
  externalId: string;
  handle: string;
  displayName: string;
}

const HANDLE_MAX = 30;
const DISPLAY_NAME_MAX = 60;
/** Remembered externalId → user id (they never change); bounded, cleared when full. */
const KNOWN_MAX = 50_000;

export function assertExternalId(raw: unknown, field = 'externalId'): string {
  if (typeof raw !== 'string' || !EXTERNAL_ID.test(raw)) {
    throw new InvalidRequest(`${field} must be 1-255 printable ASCII characters without spaces.`, [{ field, problems: ['1-255 printable ASCII characters, no spaces'] }]);
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
  const text = typeof raw === 'string' ? raw.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim() : '';
  return [...(text || fallback)].slice(0, DISPLAY_NAME_MAX).join('');
}

const UPSERT_SQL = `
WITH u AS (
  INSERT INTO app_user (id, handle, display_name, external_id) VALUES ($1, $2, $3, $4)
  ON CONFLICT (external_id) DO UPDATE SET handle = excluded.handle, display_name = excluded.display_name
   WHERE app_user.handle <> excluded.handle OR app_user.display_name <> excluded.display_name
  RETURNING id, handle, display_name, external_id, (xmax = 0) AS created),
c AS (INSERT INTO user_cursor (user_id) SELECT id FROM u WHERE created ON CONFLICT DO NOTHING)
SELECT * FROM u`;

const toExternal = (r: any): ExternalUser => ({ id: r.id, externalId: r.external_id, handle: r.handle, displayName: r.display_name });

/**
 * Accounts that belong to the host app (issue #21): created or updated by the host's
 * backend (PUT /platform/v1/users/:externalId) or provisioned from a host-issued token.
 * They have no password. One row per externalId, whatever the concurrency: the unique
 * index decides, and an upsert that lost a race on it is retried once as an update.
 */
@Injectable()
export class ExternalAccountsService {
  constructor(private readonly db: Db) {}

  private readonly known = new Map<string, string>();

  /** 201 vs 200 is `created`; an identical repeat writes nothing. */
  async upsert(externalId: string, input: { handle: string; displayName: string }): Promise<{ user: ExternalUser; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const [row] = await this.db.query(UPSERT_SQL, [newId(), input.handle, input.displayName, externalId]);
        if (row) return { user: toExternal(row), created: row.created === true };
        // Nothing to change: the row as it is.
        const same = await this.db.one('SELECT id, handle, display_name, external_id FROM app_user WHERE external_id = $1', [externalId]);
        if (same) return { user: toExternal(same), created: false };
      } catch (err: any) {
        if (err?.code !== PG_UNIQUE_VIOLATION) throw err;
        // Two first PUTs of one externalId can trip over the handle index before the
        // externalId arbiter sees the other row; the retry then takes the update path.
        if (attempt >= 1 || err.constraint !== 'app_user_handle_key') throw new HandleTaken();
      }
    }
  }

  /**
   * The user behind a host-issued token's `sub`, created on first sight from its
   * `preferred_username` and `name` claims. A handle collision takes a random suffix.
   */
  async provision(externalId: string, claims: { preferredUsername?: unknown; name?: unknown }): Promise<string> {
    const cached = this.known.get(externalId);
    if (cached) return cached;
    const existing = await this.db.one<{ id: string }>('SELECT id FROM app_user WHERE external_id = $1', [externalId]);
    if (existing) return this.remember(externalId, existing.id);
    const base = handleFromClaim(claims.preferredUsername ?? claims.name);
    const displayName = displayNameFromClaim(claims.name ?? claims.preferredUsername, base);
    for (let attempt = 0; attempt < 8; attempt++) {
      const suffix = attempt === 0 ? '' : `_${randomInt(1000, 99999)}`;
      const handle = `${base.slice(0, HANDLE_MAX - suffix.length)}${suffix}`;
      try {
        const [row] = await this.db.query<{ id: string }>(
          `WITH u AS (
             INSERT INTO app_user (id, handle, display_name, external_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (external_id) DO NOTHING RETURNING id),
           c AS (INSERT INTO user_cursor (user_id) SELECT id FROM u)
           SELECT id FROM u`,
          [newId(), handle, displayName, externalId],
        );
        if (row) return this.remember(externalId, row.id);
        // Provisioned by a concurrent request.
        const other = await this.db.one<{ id: string }>('SELECT id FROM app_user WHERE external_id = $1', [externalId]);
        if (other) return this.remember(externalId, other.id);
      } catch (err: any) {
        if (err?.code !== PG_UNIQUE_VIOLATION) throw err;
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
