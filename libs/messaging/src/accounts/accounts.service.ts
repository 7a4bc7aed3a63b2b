import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { Db, PG_UNIQUE_VIOLATION, type Queryable } from '../db/db.service';
import * as repo from './accounts.repository';
import type { AllowGroupInvites, AllowIncoming, HiddenWordsRow, PublicUserRow, UserRow } from './rows';
import {
  AccountSuspended,
  CannotTargetSelf,
  HandleTaken,
  InvalidCredentials,
  InvalidCursor,
  InvalidRequest,
  InvalidRefreshToken,
  NotFound,
  RefreshTokenReused,
  RegistrationClosed,
} from '../errors';
import { isUuid, newId } from '../ids';
import { RateLimitsService } from '../limits/rate-limits.service';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords';
import { APPEAL_AUDIENCE, TokensService, USER_AUDIENCE } from './tokens.service';
import { AccountStatusService } from './account-status.service';
import { SessionRevocations } from './session-revocations.service';
import { validateHiddenWords } from './hidden-words';

export type { AllowGroupInvites, AllowIncoming } from './rows';
export type HiddenWords = HiddenWordsRow;

export interface PublicUser {
  id: string;
  /** null once the account is deleted (its displayName is then "Deleted account"). */
  handle: string | null;
  displayName: string;
  createdAt: string;
}

export interface Me extends PublicUser {
  allowIncoming: AllowIncoming;
  /** Who may add me to a group (v1.2). */
  allowGroupInvites: AllowGroupInvites;
  status: string;
  /** Until when sending messages is refused (a restriction in force), else null. */
  restrictedUntil: string | null;
  /** Until when the account is suspended (in force), else null; a ban has no end. */
  suspendedUntil: string | null;
}

export interface Session {
  user: Me;
  accessToken: string;
  refreshToken: string;
}

const toPublic = (r: PublicUserRow): PublicUser => ({
  id: r.id,
  handle: r.handle,
  displayName: r.displayName,
  createdAt: new Date(r.createdAt).toISOString(),
});
/** A time still in the future, as ISO-8601; a past one is no longer in force. */
const inForce = (t: unknown): string | null => {
  if (!t) return null;
  const ms = new Date(t as string).getTime();
  return ms > Date.now() ? new Date(ms).toISOString() : null;
};
const toMe = (r: UserRow): Me => ({
  ...toPublic(r),
  allowIncoming: r.allowIncoming,
  allowGroupInvites: r.allowGroupInvites,
  status: r.status,
  restrictedUntil: inForce(r.restrictedUntil),
  suspendedUntil: r.status === 'suspended' ? inForce(r.suspendedUntil) : null,
});

/** Longest handle query worth looking up (handles are at most 30 characters). */
const MAX_HANDLE_QUERY = 100;
/** What a handle can be (API.md): anything else cannot match anyone. */
const HANDLE = /^[a-z0-9_]{3,30}$/;

@Injectable()
export class AccountsService {
  constructor(
    private readonly db: Db,
    private readonly tokens: TokensService,
    private readonly limits: RateLimitsService,
    private readonly status: AccountStatusService,
    private readonly sessions: SessionRevocations,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async register(input: { handle: string; displayName: string; password: string }, ip: string): Promise<Session> {
    // REGISTRATION=off: the host app owns accounts (platform upserts, host-issued tokens).
    if (!this.config.registrationOpen) throw new RegistrationClosed();
    await this.limits.consume('registerPerIp', ip);
    const hash = await hashPassword(input.password);
    const id = newId();
    try {
      const row = await this.db.tx(async (q) => {
        // A deleted account's handle is held for HANDLE_HOLD_DAYS (API.md v1.2): taken, as if still in use.
        await repo.lockHandle(q, input.handle);
        if (await repo.handleHeld(q, input.handle)) throw new HandleTaken();
        return repo.insertUser(q, { id, handle: input.handle, displayName: input.displayName, passwordHash: hash });
      });
      return this.issueSession(row, newId());
    } catch (err) {
      if ((err as { code?: string } | null)?.code === PG_UNIQUE_VIOLATION) throw new HandleTaken();
      throw err;
    }
  }

  async login(input: { handle: string; password: string }, ip: string): Promise<Session> {
    const handle = input.handle.toLowerCase();
    // The attempt is reserved before the password is verified: guessing gets 429, not answers.
    await this.limits.reserveLogin(`user:${handle}`, ip);
    const row = await repo.userByHandle(this.db, handle);
    const ok = await verifyPassword(row?.passwordHash ?? (await dummyPasswordHash()), input.password);
    if (!row || !ok) throw new InvalidCredentials();
    await this.limits.loginSucceeded(`user:${handle}`, ip);
    // The right password of a suspended account: refused, but with a token that can only read why and appeal.
    if ((await this.status.status(row.id)) === 'suspended') throw await this.keptOut(row.id);
    return this.issueSession(row, newId());
  }

  /**
   * Sign-in on behalf of the host app (POST /platform/v1/users/:externalId/tokens): the same
   * session a password sign-in gives (refresh rotation, logout and revocation work alike),
   * and the same refusal for a suspended or banned account, appeal token included.
   */
  async signInExternal(externalId: string): Promise<Session> {
    const row = await repo.userByExternalId(this.db, externalId);
    if (!row) throw new NotFound('No user has this externalId.');
    if ((await this.status.status(row.id)) === 'suspended') throw await this.keptOut(row.id);
    return this.issueSession(row, newId());
  }

  /**
   * 401 account_suspended for a suspended or banned account (API.md v1.2): `details.appealToken`
   * opens only GET /v1/notices and POST / GET /v1/appeals; `details.action` and
   * `details.statement` say what keeps them out and why, so a client can show it and offer
   * the appeal before they can sign in. `details.action` also names the policy (key and
   * title) and severity the decision was taken under, and the strikes it gave with their
   * expiry (fields added to the documented `{id, action, endsAt}`).
   */
  private async keptOut(userId: string): Promise<InstanceType<typeof AccountSuspended>> {
    const action = await repo.actionKeepingOut(this.db, userId);
    const message =
      action?.action === 'ban'
        ? 'This account is banned. You can read why and appeal the decision.'
        : action?.endsAt
          ? `This account is suspended until ${new Date(action.endsAt).toUTCString()}. You can read why and appeal the decision.`
          : 'This account is suspended. You can read why and appeal the decision.';
    return new AccountSuspended(message, {
      appealToken: this.tokens.signAccess(userId, APPEAL_AUDIENCE),
      action: action
        ? {
            id: action.id,
            action: action.action,
            endsAt: action.endsAt,
            policy: action.policy,
            policyTitle: action.policyTitle,
            severity: action.severity,
            strikes: action.strikes,
            strikesExpireAt: action.strikesExpireAt,
          }
        : null,
      statement: action?.statement ?? null,
    });
  }

  private async issueSession(row: UserRow, familyId: string, q: Queryable = this.db): Promise<Session> {
    const { token, hash } = this.tokens.newRefreshToken();
    await repo.insertRefreshToken(q, { id: newId(), familyId, userId: row.id, tokenHash: hash, ttlDays: this.config.refreshTokenTtlDays });
    return {
      user: toMe(row),
      accessToken: this.tokens.signAccess(row.id, USER_AUDIENCE, { fid: familyId }),
      refreshToken: token,
    };
  }

  /**
   * Rotation with reuse detection (RFC 9700 §4.14.2). Marking the token used is one
   * conditional UPDATE, so of two simultaneous refreshes exactly one wins; the loser sees a
   * used token and revokes the family, the winner's new token included.
   */
  async refresh(refreshToken: string): Promise<Session> {
    const hash = TokensService.hashRefresh(refreshToken);
    const outcome = await this.db.tx(async (q) => {
      const claimed = await repo.claimRefreshToken(q, hash);
      if (claimed) {
        // The token references its user (foreign key), so the row is there.
        const user = (await repo.userById(q, claimed.userId))!;
        return { kind: 'ok' as const, user, familyId: claimed.familyId };
      }
      const known = await repo.refreshTokenState(q, hash);
      // A used token presented again is reuse (revoke the family); one that was only revoked
      // (logout, an earlier reuse) is simply no longer valid.
      if (known?.usedAt) {
        await repo.revokeFamily(q, known.familyId);
        return { kind: 'reused' as const, familyId: known.familyId };
      }
      return { kind: 'invalid' as const, revokedFor: known?.revokedAt ? known.userId : null };
    });
    if (outcome.kind === 'reused') {
      // The family's access tokens and sockets end too, on every API process.
      // Should Redis be down, processes still learn it from the database when their subscriber reconnects.
      await this.sessions.announce(outcome.familyId).catch(() => undefined);
      throw new RefreshTokenReused();
    }
    if (outcome.kind === 'invalid') {
      // A suspension revokes every sign-in: the app that held one says why (the password, at
      // sign-in, then gives the reasons and the appeal token), rather than "sign in again".
      if (outcome.revokedFor && (await this.status.status(outcome.revokedFor)) === 'suspended') {
        throw new AccountSuspended('This account is suspended. Sign in to read why and appeal the decision.');
      }
      throw new InvalidRefreshToken();
    }
    await this.status.assertActive(outcome.user.id);
    // The new token is inserted after the claim committed; if the family was revoked in
    // between by a reuse, the insert below still lands but the next check revokes it.
    return this.db.tx(async (q) => {
      if (await repo.familyRevoked(q, outcome.familyId)) throw new RefreshTokenReused();
      return this.issueSession(outcome.user, outcome.familyId, q);
    });
  }

  /**
   * Ends the sign-in the refresh token belongs to (used or not, expired or not): its refresh
   * tokens stop working and every API process refuses its access tokens and drops its
   * sockets. An unknown token is not an error (logout is idempotent and says nothing about
   * which tokens exist); a known family is announced again, so a retry after a failed
   * announcement still reaches the sockets.
   */
  async logout(refreshToken: string): Promise<void> {
    const familyId = await repo.revokeFamilyOfToken(this.db, TokensService.hashRefresh(refreshToken));
    if (familyId) await this.sessions.announce(familyId);
  }

  /** Revokes every refresh token of a user (suspension, ban). */
  async revokeAllSessions(userId: string): Promise<void> {
    await repo.revokeAllRefreshTokens(this.db, userId);
  }

  async me(userId: string, q: Queryable = this.db): Promise<Me> {
    const row = await repo.userById(q, userId);
    if (!row) throw new NotFound();
    return toMe(row);
  }

  async updateSettings(userId: string, patch: { allowIncoming?: AllowIncoming; allowGroupInvites?: AllowGroupInvites }): Promise<Me> {
    const row = await repo.updateSettings(this.db, userId, patch.allowIncoming ?? null, patch.allowGroupInvites ?? null);
    if (!row) throw new NotFound();
    return toMe(row);
  }

  async hiddenWords(userId: string, q: Queryable = this.db): Promise<HiddenWords> {
    const row = await repo.hiddenWords(q, userId);
    if (!row) throw new NotFound();
    return row;
  }

  /**
   * PUT /v1/me/hidden-words replaces both settings, so both are required (a missing field
   * is 400, never a silent reset). Requests are sorted at read time, so the change applies
   * to existing requests at once.
   */
  async setHiddenWords(userId: string, body: unknown): Promise<HiddenWords> {
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const problems: { field: string; problems: string[] }[] = [];
    const checked = validateHiddenWords(b.words);
    const useDefaultList = b.useDefaultList;
    if ('problems' in checked) problems.push(...checked.problems);
    if (typeof useDefaultList !== 'boolean') problems.push({ field: 'useDefaultList', problems: ['must be true or false'] });
    if (problems.length || 'problems' in checked || typeof useDefaultList !== 'boolean') {
      throw new InvalidRequest(
        'words must be an array of at most 200 words of 1-50 characters, and useDefaultList a boolean; both are required.',
        problems,
      );
    }
    await this.limits.consume('hiddenWordsPerUser', userId);
    const row = await repo.setHiddenWords(this.db, userId, checked.words, useDefaultList);
    if (!row) throw new NotFound();
    return row;
  }

  async getPublic(id: string): Promise<PublicUser> {
    if (!isUuid(id)) throw new NotFound('No such user.');
    const row = await repo.publicUserById(this.db, id);
    if (!row) throw new NotFound('No such user.');
    return toPublic(row);
  }

  /**
   * Finds a person by exact handle, ignoring case (GET /v1/users?handle=). Someone who blocks
   * the viewer is not found, nor is a banned account: both answer like an unknown handle.
   */
  async findByHandle(viewerId: string, handle: unknown): Promise<{ items: PublicUser[]; nextCursor: null }> {
    if (typeof handle !== 'string' || handle.trim() === '' || handle.length > MAX_HANDLE_QUERY) {
      throw new InvalidRequest('handle must be one non-empty string of at most 100 characters.', [
        { field: 'handle', message: 'expected one handle, e.g. ?handle=alice' },
      ]);
    }
    // Only a string that could be a handle is looked up (NUL and the like never reach SQL).
    if (!HANDLE.test(handle.trim().toLowerCase())) return { items: [], nextCursor: null };
    const rows = await repo.findableByHandle(this.db, handle.trim(), viewerId);
    return { items: rows.map(toPublic), nextCursor: null };
  }

  private async target(me: string, id: string): Promise<void> {
    await this.getPublic(id);
    if (id === me) throw new CannotTargetSelf();
  }

  /** Block, unblock, restrict, unrestrict: a valid target, within the caller's LIMIT_BLOCKS budget. */
  private async graphTarget(me: string, id: string): Promise<void> {
    await this.target(me, id);
    await this.limits.consume('blocksPerUser', me);
  }

  async follow(me: string, id: string): Promise<void> {
    await this.target(me, id);
    await repo.insertFollow(this.db, me, id);
  }

  async unfollow(me: string, id: string): Promise<void> {
    await this.target(me, id);
    await repo.deleteFollow(this.db, me, id);
  }

  /** Blocking also removes follows in both directions. */
  async block(me: string, id: string): Promise<void> {
    await this.graphTarget(me, id);
    await this.db.tx((q) => blockIn(q, me, id));
  }

  /** Restrict (API.md v1.1): the restricted user is not told. */
  async restrict(me: string, id: string): Promise<void> {
    await this.graphTarget(me, id);
    await repo.insertRestrict(this.db, me, id);
  }

  async unrestrict(me: string, id: string): Promise<void> {
    await this.graphTarget(me, id);
    await repo.deleteRestrict(this.db, me, id);
  }

  /**
   * The people I block (`block`) or restrict (`restrict`), most recent first, each with when
   * (GET /v1/me/blocks, /v1/me/restricted): what settings list so each can be undone. The cursor
   * is opaque: the position of the last one of the page.
   */
  async keptAtDistance(
    me: string,
    kind: repo.DistanceKind,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Array<PublicUser & { since: string }>; nextCursor: string | null }> {
    const after = cursor ? decodeDistanceCursor(cursor) : null;
    const rows = await repo.keptAtDistance(this.db, me, kind, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({ ...toPublic(r), since: new Date(r.since).toISOString() })),
      nextCursor: rows.length > limit && last ? encodeDistanceCursor(last.sinceMicros, last.id) : null,
    };
  }

  async unblock(me: string, id: string): Promise<void> {
    await this.graphTarget(me, id);
    await repo.deleteBlock(this.db, me, id);
  }
}

const encodeDistanceCursor = (sinceMicros: string, id: string) => Buffer.from(`${sinceMicros}|${id}`, 'utf8').toString('base64url');
/** The position a cursor names; anything else (tampered, made up) is 400 invalid_cursor. */
function decodeDistanceCursor(cursor: string): { sinceMicros: string; id: string } {
  const [sinceMicros, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length || !/^\d{1,18}$/.test(sinceMicros ?? '') || !id || !isUuid(id)) throw new InvalidCursor();
  return { sinceMicros, id };
}

/** A block inside the caller's transaction: the block row, and follows removed both ways (also used by report-and-block). */
export async function blockIn(q: Queryable, me: string, id: string): Promise<void> {
  await repo.insertBlock(q, me, id);
  await repo.deleteFollowsBetween(q, me, id);
}
