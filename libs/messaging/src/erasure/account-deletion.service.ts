import { Inject, Injectable } from '@nestjs/common';
import { Db } from '../db/db.service';
import { DomainError, InvalidCredentials, InvalidRequest, NotFound } from '../errors';
import { isUuid } from '../ids';
import { JobName } from '../queues';
import { EventsService } from '../events/events.service';
import { AuditLogService } from '../audit/audit-log.service';
import { AccountStatusService } from '../accounts/account-status.service';
import { SessionRevocations } from '../accounts/session-revocations.service';
import { holdHandle, lockHandle, purgeExpiredHandleHolds } from '../accounts/accounts.repository';
import { verifyPassword } from '../accounts/passwords';
import { RateLimitsService } from '../limits/rate-limits.service';
import { ConversationsService } from '../conversations/conversations.service';
import { MessagesService } from '../messages/messages.service';
import { MessageReactionsService } from '../messages/message-reactions.service';
import { QUESTION_LINK_UPDATES, type QuestionLinkUpdates } from '../links/link-consequences';
import { RoomsService } from '../rooms/rooms.service';
import { removeQuestion } from '../safety/enforcement/enforcement.repository';
import { eraseAccountFrom } from '../views/erased-account';
import * as repo from './account-deletion.repository';

/** What a deletion answers (202): the account's id. */
export interface AccountDeleted {
  id: string;
  status: 'deleted';
}

/** A deleted account's handle stays taken this long (API.md v1.2), then anyone may register it. */
export const HANDLE_HOLD_DAYS = 30;
/** Messages removed per transaction by the erasure job. */
const MESSAGE_BATCH = 200;
const EVENT_BATCH = 500;
/** Why a deleted account's messages read as removed (the Message JSON's removedReason). */
export const ACCOUNT_DELETED = 'account_deleted';

/**
 * Account deletion (API.md v1.2 "Your data", issue #31). Two steps:
 *
 * 1. `DELETE /v1/me` / `DELETE /platform/v1/users/:externalId`, in one transaction with the
 *    user's row locked (so two parallel deletions make one): the profile becomes "Deleted
 *    account" without a handle, the handle is held HANDLE_HOLD_DAYS (as a digest), every
 *    sign-in is revoked, follows/blocks/restricts, exports and the words of its reports' notes,
 *    appeals and mod-mail replies go, one audit entry records the deletion, and the erasure
 *    job is queued. After commit every API process refuses its tokens (the ended sign-ins are
 *    announced, and the account reads as missing: AccountStatusService.changed), which also
 *    closes its sockets everywhere (AccountWatch), as a suspension does.
 * 2. The `erase-account` job (maintenance worker, idempotent, batched): every message it sent
 *    is removed through the one removal path (MessagesService.removeIn, reason
 *    `account_deleted`), its reactions are taken back, it leaves its groups and rooms, its live
 *    rooms end, requests it started and nobody answered are declined, its questions are
 *    removed, the staff-only copies of its messages go unless a legal hold keeps them, and its
 *    name and words are erased from other people's stored event payloads. Frozen report
 *    evidence is left to the retention sweep (safety/reports/erased-evidence.service.ts).
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly audit: AuditLogService,
    private readonly status: AccountStatusService,
    private readonly sessions: SessionRevocations,
    private readonly limits: RateLimitsService,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly reactions: MessageReactionsService,
    private readonly rooms: RoomsService,
    @Inject(QUESTION_LINK_UPDATES) private readonly questions: QuestionLinkUpdates,
  ) {}

  /**
   * `DELETE /v1/me`: an account with a password must confirm with it (401 invalid_credentials
   * when wrong, with the sign-in's attempt budget); one without (host accounts) sends no body.
   */
  async deleteMe(userId: string, body: unknown, ip: string): Promise<AccountDeleted> {
    const user = await repo.userForDeletion(this.db, userId, false);
    if (!user) throw new NotFound();
    if (user.deletedAt) return { id: userId, status: 'deleted' };
    if (user.passwordHash !== null) {
      const password = (body as { password?: unknown } | null | undefined)?.password;
      if (typeof password !== 'string' || password.length === 0 || password.length > 200) {
        throw new InvalidRequest('Confirm with your password: {"password": "…"}.', [{ field: 'password', problems: ['required'] }]);
      }
      const account = `user:${user.handle ?? userId}`;
      await this.limits.reserveLogin(account, ip);
      if (!(await verifyPassword(user.passwordHash, password))) throw new InvalidCredentials('The password is wrong.');
      await this.limits.loginSucceeded(account, ip);
    }
    await this.erase(userId, 'user');
    return { id: userId, status: 'deleted' };
  }

  /** `DELETE /platform/v1/users/:externalId`: the same for a host account; a repeat is 202 again, an unknown id 404. */
  async deleteExternal(externalId: string): Promise<AccountDeleted> {
    const found = await repo.externalUserForDeletion(this.db, externalId);
    if (!found) throw new NotFound('No user has this externalId.');
    await this.erase(found.id, 'platform');
    return { id: found.id, status: 'deleted' };
  }

  private async erase(userId: string, by: 'user' | 'platform'): Promise<void> {
    const done = await this.db.tx(async (q) => {
      const user = await repo.userForDeletion(q, userId, true);
      if (!user || user.deletedAt) return null;
      if (user.handle) {
        await lockHandle(q, user.handle);
        await holdHandle(q, user.handle, HANDLE_HOLD_DAYS);
      }
      await repo.anonymise(q, userId);
      const families = await repo.revokeSignIns(q, userId);
      await repo.deleteOwnRows(q, userId);
      // No personal data in the entry: the account is named by its id only (docs/ARCHITECTURE.md, "Personal data").
      await this.audit.record(q, { staffId: null, action: 'user.deleted', subjectType: 'user', subjectId: userId, after: { by } });
      const outboxId = await this.events.append(
        q,
        [],
        [{ name: JobName.EraseAccount, data: { userId }, jobId: `erase-account-${userId}` }],
      );
      return { families, outboxId };
    });
    if (!done) return;
    this.events.published(done.outboxId);
    // Every API process: the account reads as missing (its sockets close), its sign-ins are ended.
    await this.status.changed(userId);
    for (const familyId of done.families) await this.sessions.announce(familyId).catch(() => undefined);
  }

  /** The erasure job (step 2 above). Safe to run again: every step skips what is already done. */
  async eraseContent(userId: string): Promise<{ messages: number; reactions: number; events: number }> {
    if (!isUuid(userId)) return { messages: 0, reactions: 0, events: 0 };
    const user = await repo.userForDeletion(this.db, userId, false);
    if (!user?.deletedAt) return { messages: 0, reactions: 0, events: 0 };

    let removed = 0;
    for (;;) {
      const ids = await repo.readableMessagesOf(this.db, userId, MESSAGE_BATCH);
      if (ids.length === 0) break;
      const outboxIds = await this.db.tx(async (q) => {
        const out: Array<string | null> = [];
        for (const id of ids) out.push((await this.messages.removeIn(q, id, ACCOUNT_DELETED)).outboxId);
        return out;
      });
      for (const id of outboxIds) this.events.published(id);
      removed += ids.length;
    }
    await repo.purgeMessageCopies(this.db, userId);
    const reactions = await this.reactions.withdrawAll(userId);

    for (const { conversationId, recipientId } of await repo.pendingRequestsFrom(this.db, userId)) {
      await this.conversations.decline(recipientId, conversationId).catch(ignoreGone);
    }
    for (const conversationId of await repo.groupsOf(this.db, userId)) {
      await this.conversations.leave(userId, conversationId).catch(ignoreGone);
    }
    for (const roomId of await repo.liveRoomsHostedBy(this.db, userId)) await this.rooms.end(userId, roomId).catch(ignoreGone);
    for (const roomId of await repo.roomsPresentIn(this.db, userId)) await this.rooms.leave(userId, roomId).catch(ignoreGone);
    for (const questionId of await repo.visibleQuestionsOf(this.db, userId)) {
      const outboxId = await this.db.tx(async (q) => {
        const row = await removeQuestion(q, questionId, ACCOUNT_DELETED);
        return row ? this.questions.questionUpdated(q, row) : null;
      });
      this.events.published(outboxId);
    }

    const events = await this.eraseFromEvents(userId);
    await repo.deleteOwnRecords(this.db, userId);
    return { messages: removed, reactions, events };
  }

  /** Other people's stored events that carry the account's name or words (a member list, a last message) lose them. */
  private async eraseFromEvents(userId: string): Promise<number> {
    let changed = 0;
    let after: { userId: string; cursor: string } | null = null;
    for (;;) {
      const rows = await repo.eventsNaming(this.db, userId, after, EVENT_BATCH);
      if (rows.length === 0) return changed;
      await this.db.tx(async (q) => {
        for (const r of rows) {
          const erased = eraseAccountFrom(r.payload, userId);
          if (!erased.changed) continue;
          await repo.storeEventPayload(q, r.userId, r.cursor, erased.value);
          changed++;
        }
      });
      const last = rows[rows.length - 1];
      after = { userId: last.userId, cursor: last.cursor };
    }
  }

  /** Part of the retention sweep: handle holds past their end. */
  purgeExpiredHandleHolds(): Promise<number> {
    return purgeExpiredHandleHolds(this.db);
  }
}

/** A step whose target moved on meanwhile (already left, already answered, room gone) has nothing left to do. */
function ignoreGone(err: unknown): void {
  if (err instanceof DomainError && [403, 404, 409, 422].includes(err.status)) return;
  throw err;
}
