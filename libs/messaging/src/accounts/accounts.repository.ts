import type { Queryable } from '../db/db.service';
import type {
  AllowGroupInvites,
  AllowIncoming,
  ExternalUserRow,
  HiddenWordsRow,
  PublicUserRow,
  RefreshClaim,
  RefreshTokenState,
  RevokedFamilyRow,
  Timestamp,
  UserRow,
  UserStandingRow,
} from './rows';

/**
 * The accounts domain's SQL (STYLE.md §9, §12): users, refresh tokens, follows, blocks,
 * restricts. Functions take a Queryable, so they run on the pool or inside `db.tx`, and hand
 * back typed camelCase rows; the rules (who may sign in, rotation, reuse) are in the services.
 */

interface AppUserRecord {
  id: string;
  handle: string | null;
  display_name: string;
  created_at: Date | string;
  password_hash: string | null;
  allow_incoming: AllowIncoming;
  allow_group_invites: AllowGroupInvites;
  status: UserRow['status'];
  suspended_until: Date | string | null;
  restricted_until: Date | string | null;
  external_id: string | null;
  deleted_at?: Date | string | null;
}

const toUser = (r: AppUserRecord): UserRow => ({
  id: r.id,
  handle: r.handle,
  displayName: r.display_name,
  createdAt: r.created_at,
  passwordHash: r.password_hash,
  allowIncoming: r.allow_incoming,
  allowGroupInvites: r.allow_group_invites,
  status: r.status,
  suspendedUntil: r.suspended_until,
  restrictedUntil: r.restricted_until,
  externalId: r.external_id,
  deletedAt: r.deleted_at ?? null,
});

type PublicRecord = Pick<AppUserRecord, 'id' | 'handle' | 'display_name' | 'created_at'>;
const toPublic = (r: PublicRecord): PublicUserRow => ({ id: r.id, handle: r.handle, displayName: r.display_name, createdAt: r.created_at });

/** A host account found by its externalId: never a deleted one (deletion clears external_id), so it has its handle. */
type ExternalRecord = Pick<AppUserRecord, 'id' | 'display_name'> & { handle: string; external_id: string };
const toExternal = (r: ExternalRecord): ExternalUserRow => ({
  id: r.id,
  externalId: r.external_id,
  handle: r.handle,
  displayName: r.display_name,
});

type HiddenWordsRecord = { hidden_words: string[]; use_default_hidden_words: boolean };
const toHiddenWords = (r: HiddenWordsRecord): HiddenWordsRow => ({
  words: r.hidden_words,
  useDefaultList: r.use_default_hidden_words,
});

// ---- users ----------------------------------------------------------------------------------

/** A new password account and its event cursor (call inside `db.tx`). */
export async function insertUser(
  q: Queryable,
  u: { id: string; handle: string; displayName: string; passwordHash: string },
): Promise<UserRow> {
  const [row] = await q.query<AppUserRecord>(
    `INSERT INTO app_user (id, handle, display_name, password_hash) VALUES ($1, $2, $3, $4) RETURNING *`,
    [u.id, u.handle, u.displayName, u.passwordHash],
  );
  await q.query('INSERT INTO user_cursor (user_id) VALUES ($1)', [u.id]);
  return toUser(row);
}

/** The accounts with these handles (stored lower-case), as {id, handle}; a handle nobody has is simply absent. */
export async function idsByHandles(q: Queryable, handles: string[]): Promise<Array<{ id: string; handle: string }>> {
  if (handles.length === 0) return [];
  return q.query<{ id: string; handle: string }>('SELECT id, handle FROM app_user WHERE handle = ANY($1::text[])', [handles]);
}

export async function userByHandle(q: Queryable, handle: string): Promise<UserRow | undefined> {
  const [row] = await q.query<AppUserRecord>('SELECT * FROM app_user WHERE handle = $1', [handle]);
  return row && toUser(row);
}

export async function userByExternalId(q: Queryable, externalId: string): Promise<UserRow | undefined> {
  const [row] = await q.query<AppUserRecord>('SELECT * FROM app_user WHERE external_id = $1', [externalId]);
  return row && toUser(row);
}

export async function userById(q: Queryable, id: string): Promise<UserRow | undefined> {
  const [row] = await q.query<AppUserRecord>('SELECT * FROM app_user WHERE id = $1', [id]);
  return row && toUser(row);
}

export async function publicUserById(q: Queryable, id: string): Promise<PublicUserRow | undefined> {
  const [row] = await q.query<PublicRecord>('SELECT id, handle, display_name, created_at FROM app_user WHERE id = $1', [id]);
  return row && toPublic(row);
}

/**
 * The user with exactly this handle (lower-cased by SQL), unless banned or blocking the
 * viewer: both look like an unknown handle.
 */
export async function findableByHandle(q: Queryable, handle: string, viewerId: string): Promise<PublicUserRow[]> {
  const rows = await q.query<PublicRecord>(
    `SELECT u.id, u.handle, u.display_name, u.created_at FROM app_user u
        WHERE u.handle = lower($1) AND u.status <> 'banned'
          AND NOT EXISTS (SELECT 1 FROM block b WHERE b.blocker_id = u.id AND b.blocked_id = $2)`,
    [handle, viewerId],
  );
  return rows.map(toPublic);
}

/** Sets allow_incoming and allow_group_invites when given (null keeps each); undefined when there is no such user. */
export async function updateSettings(
  q: Queryable,
  userId: string,
  allowIncoming: AllowIncoming | null,
  allowGroupInvites: AllowGroupInvites | null = null,
): Promise<UserRow | undefined> {
  const [row] = await q.query<AppUserRecord>(
    'UPDATE app_user SET allow_incoming = coalesce($2, allow_incoming), allow_group_invites = coalesce($3, allow_group_invites) WHERE id = $1 RETURNING *',
    [userId, allowIncoming, allowGroupInvites],
  );
  return row && toUser(row);
}

export async function hiddenWords(q: Queryable, userId: string): Promise<HiddenWordsRow | undefined> {
  const [row] = await q.query<HiddenWordsRecord>('SELECT hidden_words, use_default_hidden_words FROM app_user WHERE id = $1', [userId]);
  return row && toHiddenWords(row);
}

export async function setHiddenWords(
  q: Queryable,
  userId: string,
  words: string[],
  useDefaultList: boolean,
): Promise<HiddenWordsRow | undefined> {
  const [row] = await q.query<HiddenWordsRecord>(
    'UPDATE app_user SET hidden_words = $2::text[], use_default_hidden_words = $3 WHERE id = $1 RETURNING hidden_words, use_default_hidden_words',
    [userId, words, useDefaultList],
  );
  return row && toHiddenWords(row);
}

/** Status and suspension end, for "may this account act now?" (AccountStatusService). */
export async function standing(q: Queryable, userId: string): Promise<UserStandingRow | undefined> {
  const [row] = await q.query<{ status: UserStandingRow['status']; suspended_until: Date | string | null }>(
    // A deleted account has no standing: it reads as missing (401 on its tokens).
    'SELECT status, suspended_until FROM app_user WHERE id = $1 AND deleted_at IS NULL',
    [userId],
  );
  return row && { status: row.status, suspendedUntil: row.suspended_until };
}

// ---- host-app (external) accounts -----------------------------------------------------------

const UPSERT_EXTERNAL_SQL = `
WITH u AS (
  INSERT INTO app_user (id, handle, display_name, external_id) VALUES ($1, $2, $3, $4)
  ON CONFLICT (external_id) DO UPDATE SET handle = excluded.handle, display_name = excluded.display_name
   WHERE app_user.handle <> excluded.handle OR app_user.display_name <> excluded.display_name
  RETURNING id, handle, display_name, external_id, (xmax = 0) AS created),
c AS (INSERT INTO user_cursor (user_id) SELECT id FROM u WHERE created ON CONFLICT DO NOTHING)
SELECT * FROM u`;

/**
 * Creates or renames the account of an externalId (with its event cursor when created).
 * undefined when the row already says exactly this (nothing written).
 */
export async function upsertExternalUser(
  q: Queryable,
  u: { id: string; handle: string; displayName: string; externalId: string },
): Promise<{ user: ExternalUserRow; created: boolean } | undefined> {
  const [row] = await q.query<ExternalRecord & { created: boolean }>(UPSERT_EXTERNAL_SQL, [u.id, u.handle, u.displayName, u.externalId]);
  return row && { user: toExternal(row), created: row.created === true };
}

export async function externalUser(q: Queryable, externalId: string): Promise<ExternalUserRow | undefined> {
  const [row] = await q.query<ExternalRecord>('SELECT id, handle, display_name, external_id FROM app_user WHERE external_id = $1', [
    externalId,
  ]);
  return row && toExternal(row);
}

export async function userIdByExternalId(q: Queryable, externalId: string): Promise<string | undefined> {
  const [row] = await q.query<{ id: string }>('SELECT id FROM app_user WHERE external_id = $1', [externalId]);
  return row?.id;
}

/** externalId → user id for those of `externalIds` that exist. */
export async function userIdsByExternalIds(q: Queryable, externalIds: string[]): Promise<Map<string, string>> {
  const rows = await q.query<{ id: string; external_id: string }>(
    'SELECT id, external_id FROM app_user WHERE external_id = ANY($1::text[])',
    [externalIds],
  );
  return new Map(rows.map((r) => [r.external_id, r.id]));
}

/** Creates the account of an externalId (and its cursor); undefined if one exists already. */
export async function insertExternalUserIfAbsent(
  q: Queryable,
  u: { id: string; handle: string; displayName: string; externalId: string },
): Promise<string | undefined> {
  const [row] = await q.query<{ id: string }>(
    `WITH u AS (
             INSERT INTO app_user (id, handle, display_name, external_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (external_id) DO NOTHING RETURNING id),
           c AS (INSERT INTO user_cursor (user_id) SELECT id FROM u)
           SELECT id FROM u`,
    [u.id, u.handle, u.displayName, u.externalId],
  );
  return row?.id;
}

// ---- refresh tokens -------------------------------------------------------------------------

export async function insertRefreshToken(
  q: Queryable,
  t: { id: string; familyId: string; userId: string; tokenHash: string; ttlDays: number },
): Promise<void> {
  await q.query(
    `INSERT INTO refresh_token (id, family_id, user_id, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))`,
    [t.id, t.familyId, t.userId, t.tokenHash, t.ttlDays],
  );
}

/**
 * Marks a live token used, in one conditional UPDATE: of two simultaneous claims exactly one
 * gets the row back. undefined when the token is unknown, used, revoked or expired.
 */
export async function claimRefreshToken(q: Queryable, tokenHash: string): Promise<RefreshClaim | undefined> {
  const [row] = await q.query<{ family_id: string; user_id: string }>(
    `UPDATE refresh_token SET used_at = now()
          WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
          RETURNING family_id, user_id`,
    [tokenHash],
  );
  return row && { familyId: row.family_id, userId: row.user_id };
}

export async function refreshTokenState(q: Queryable, tokenHash: string): Promise<RefreshTokenState | undefined> {
  const [row] = await q.query<{ family_id: string; user_id: string; used_at: Date | string | null; revoked_at: Date | string | null }>(
    'SELECT family_id, user_id, used_at, revoked_at FROM refresh_token WHERE token_hash = $1',
    [tokenHash],
  );
  return row && { familyId: row.family_id, userId: row.user_id, usedAt: row.used_at, revokedAt: row.revoked_at };
}

export async function revokeFamily(q: Queryable, familyId: string): Promise<void> {
  await q.query('UPDATE refresh_token SET revoked_at = coalesce(revoked_at, now()) WHERE family_id = $1', [familyId]);
}

/** Whether any token of the family is revoked (a reuse revoked it meanwhile). */
export async function familyRevoked(q: Queryable, familyId: string): Promise<boolean> {
  const [row] = await q.query<{ revoked: boolean | null }>(
    'SELECT bool_or(revoked_at IS NOT NULL) AS revoked FROM refresh_token WHERE family_id = $1',
    [familyId],
  );
  return row?.revoked === true;
}

/** Revokes the family of the token (known or not, used or not); its family id, or undefined for an unknown token. */
export async function revokeFamilyOfToken(q: Queryable, tokenHash: string): Promise<string | undefined> {
  const [row] = await q.query<{ family_id: string }>(
    `WITH fam AS (SELECT family_id FROM refresh_token WHERE token_hash = $1),
            revoke AS (UPDATE refresh_token SET revoked_at = coalesce(revoked_at, now())
                        WHERE family_id IN (SELECT family_id FROM fam))
       SELECT family_id FROM fam`,
    [tokenHash],
  );
  return row?.family_id;
}

export async function revokeAllRefreshTokens(q: Queryable, userId: string): Promise<void> {
  await q.query('UPDATE refresh_token SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
}

/** Families revoked within the last `seconds` (each with its latest revocation time). */
export async function familiesRevokedWithin(q: Queryable, seconds: number): Promise<RevokedFamilyRow[]> {
  const rows = await q.query<{ family_id: string; revoked_at: Date | string }>(
    `SELECT family_id, max(revoked_at) AS revoked_at FROM refresh_token
        WHERE revoked_at > now() - make_interval(secs => $1) GROUP BY family_id`,
    [seconds],
  );
  return rows.map((r) => ({ familyId: r.family_id, revokedAt: r.revoked_at }));
}

// ---- follows, blocks, restricts -------------------------------------------------------------

export async function insertFollow(q: Queryable, followerId: string, followeeId: string): Promise<void> {
  await q.query('INSERT INTO follow (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [followerId, followeeId]);
}

export async function deleteFollow(q: Queryable, followerId: string, followeeId: string): Promise<void> {
  await q.query('DELETE FROM follow WHERE follower_id = $1 AND followee_id = $2', [followerId, followeeId]);
}

/** Removes follows between two users, both directions. */
export async function deleteFollowsBetween(q: Queryable, a: string, b: string): Promise<void> {
  await q.query('DELETE FROM follow WHERE (follower_id = $1 AND followee_id = $2) OR (follower_id = $2 AND followee_id = $1)', [a, b]);
}

export async function insertBlock(q: Queryable, blockerId: string, blockedId: string): Promise<void> {
  await q.query('INSERT INTO block (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [blockerId, blockedId]);
}

export async function deleteBlock(q: Queryable, blockerId: string, blockedId: string): Promise<void> {
  await q.query('DELETE FROM block WHERE blocker_id = $1 AND blocked_id = $2', [blockerId, blockedId]);
}

export async function insertRestrict(q: Queryable, restrictorId: string, restrictedId: string): Promise<void> {
  await q.query('INSERT INTO restrict (restrictor_id, restricted_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [restrictorId, restrictedId]);
}

/** The two lists of people I keep at a distance, by their table and columns (never from input). */
const DISTANCE = {
  block: { table: 'block', me: 'blocker_id', them: 'blocked_id' },
  restrict: { table: 'restrict', me: 'restrictor_id', them: 'restricted_id' },
} as const;
export type DistanceKind = keyof typeof DISTANCE;

/**
 * The people I block or restrict, most recent first, after a position (keyset on when, in
 * microseconds as stored, then id), `limit` of them; each with when I did it.
 */
export async function keptAtDistance(
  q: Queryable,
  me: string,
  kind: DistanceKind,
  after: { sinceMicros: string; id: string } | null,
  limit: number,
): Promise<Array<PublicUserRow & { since: Timestamp; sinceMicros: string }>> {
  const d = DISTANCE[kind];
  const rows = await q.query<PublicRecord & { since: Date | string; since_us: string }>(
    `SELECT u.id, u.handle, u.display_name, u.created_at, x.created_at AS since,
            (extract(epoch FROM x.created_at) * 1000000)::bigint::text AS since_us
       FROM ${d.table} x JOIN app_user u ON u.id = x.${d.them}
      WHERE x.${d.me} = $1
        AND ($2::bigint IS NULL OR ((extract(epoch FROM x.created_at) * 1000000)::bigint, u.id) < ($2::bigint, $3::uuid))
      ORDER BY x.created_at DESC, u.id DESC
      LIMIT $4`,
    [me, after?.sinceMicros ?? null, after?.id ?? null, limit],
  );
  return rows.map((r) => ({ ...toPublic(r), since: r.since, sinceMicros: r.since_us }));
}

export async function deleteRestrict(q: Queryable, restrictorId: string, restrictedId: string): Promise<void> {
  await q.query('DELETE FROM restrict WHERE restrictor_id = $1 AND restricted_id = $2', [restrictorId, restrictedId]);
}

// ---- handles held after a deletion ----------------------------------------------------------

/** The stored form of a held handle: its SHA-256, so the handle itself is not kept. */
const HANDLE_HASH_SQL = (p: string) => `encode(sha256(convert_to(lower(${p}), 'UTF8')), 'hex')`;

/**
 * Serialises registration and deletion of one handle (until the transaction ends), so a
 * registration cannot slip in between a deletion's release of the handle and its hold.
 */
export async function lockHandle(q: Queryable, handle: string): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtextextended(lower($1), 31))`, [handle]);
}

/** Whether the handle belonged to an account deleted less than the hold ago. */
export async function handleHeld(q: Queryable, handle: string): Promise<boolean> {
  const [row] = await q.query<{ one: number }>(
    `SELECT 1 AS one FROM handle_hold WHERE handle_hash = ${HANDLE_HASH_SQL('$1')} AND until > now()`,
    [handle],
  );
  return !!row;
}

export async function holdHandle(q: Queryable, handle: string, days: number): Promise<void> {
  await q.query(
    `INSERT INTO handle_hold (handle_hash, until) VALUES (${HANDLE_HASH_SQL('$1')}, now() + make_interval(days => $2))
       ON CONFLICT (handle_hash) DO UPDATE SET until = excluded.until`,
    [handle, days],
  );
}

/** Holds past their end; returns how many were deleted. */
export async function purgeExpiredHandleHolds(q: Queryable): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    `WITH d AS (DELETE FROM handle_hold WHERE until <= now() RETURNING 1) SELECT count(*)::int AS n FROM d`,
  );
  return row?.n ?? 0;
}

/** The action keeping an account out (API.md v1.2 sign-in refusal), with the policy and severity it was taken under and its strikes. */
export interface KeepingOutAction {
  id: string;
  action: string;
  endsAt: string | null;
  /** The policy's key, its title now (null when the policy was since deleted), and the severity's key. */
  policy: string | null;
  policyTitle: string | null;
  severity: string | null;
  /** The strikes the action gave and when they expire (null without strikes). */
  strikes: number;
  strikesExpireAt: string | null;
  statement: unknown;
}

/** The action that keeps an account out (a ban, else the suspension that ends last) and its statement of reasons. */
export async function actionKeepingOut(q: Queryable, userId: string): Promise<KeepingOutAction | undefined> {
  const [r] = await q.query<{
    id: string;
    action: string;
    expires_at: Date | string | null;
    policy: string | null;
    policy_title: string | null;
    severity: string | null;
    strikes: number | null;
    strikes_expire_at: Date | string | null;
    statement: unknown;
  }>(
    `SELECT a.id, a.action, a.expires_at, a.policy, p.title AS policy_title, a.severity, a.strikes, a.strikes_expire_at,
            (SELECT n.statement FROM notice n WHERE n.user_id = a.user_id AND n.data ->> 'actionId' = a.id::text
              ORDER BY n.created_at DESC LIMIT 1) AS statement
       FROM moderation_action a LEFT JOIN policy p ON p.key = a.policy
      WHERE a.user_id = $1 AND a.lifted_at IS NULL AND (a.action = 'ban' OR (a.action = 'suspend' AND a.expires_at > now()))
      ORDER BY (a.action = 'ban') DESC, a.expires_at DESC, a.created_at DESC LIMIT 1`,
    [userId],
  );
  const strikes = Number(r?.strikes ?? 0);
  return (
    r && {
      id: r.id,
      action: r.action,
      endsAt: r.expires_at === null ? null : new Date(r.expires_at).toISOString(),
      policy: r.policy,
      policyTitle: r.policy_title,
      severity: r.severity,
      strikes,
      strikesExpireAt: strikes > 0 && r.strikes_expire_at !== null ? new Date(r.strikes_expire_at).toISOString() : null,
      statement: r.statement ?? null,
    }
  );
}
