import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { AccountStatusService } from '../../accounts/account-status.service';
import { AccountsService } from '../../accounts/accounts.service';
import { Db, type Queryable } from '../../db/db.service';
import { AlreadyEnded, AlreadyLifted, NotFound, NotLiftable, Unprocessable } from '../../errors';
import { EventsService } from '../../events/events.service';
import { AuditLogService } from '../../audit/audit-log.service';
import type { ListPage, ListQuery } from '../../db/staff-list';
import type { UserEvent } from '../../events/event-types';
import { isUuid, newId } from '../../ids';
import { MessagesService } from '../../messages/messages.service';
import { JobName, type OutboxJob } from '../../queues';
import { PlatformWebhooks } from '../../platform/platform-webhook';
import { questionViewOf } from '../../views/question-view';
import { questionAudience } from '../../rooms/rooms.repository';
import * as enforcement from './enforcement.repository';
import type { ActionRow, Standing } from './enforcement.repository';
import { NoticesService, type NoticeDraft } from './notices.service';
import { assertKnownVariables, policyWords, renderTemplate, staffFacts, statementFor, type Statement } from './statements';
import type { PolicyChoice } from './policies';
import { DEFAULT_DURATION_HOURS, LIFTABLE_ACTIONS, TIMED_ACTIONS, type EnforcementAction, type NoticeKind } from '../vocabulary';

export type { ActionRow, Standing } from './enforcement.repository';

export interface ApplyInput {
  userId: string;
  action: EnforcementAction;
  durationHours?: number | null;
  note?: string | null;
  /** Why (the report's reason, or "direct"). */
  reason: string | null;
  /** The policy and severity the decision names (PoliciesService.choose): its strikes, ground and category. */
  policy: PolicyChoice;
  staffId: string | null;
  reportId?: string | null;
  subject?: { type: string; id: string } | null;
  /** remove_content: every message or question to take down (default: the subject). */
  removeSubjects?: Array<{ type: string; id: string }>;
  /** Taken by the platform (a malicious link, a rule), not by a person. */
  automated?: boolean;
  /** The content is already gone (the automated path removed it itself): record only. */
  alreadyRemoved?: boolean;
  /** How many reports the decision answers (for the statement's facts). */
  reports?: number;
  /** The statement's facts, when the caller knows them better than a staff decision's wording. */
  facts?: string;
  /**
   * The statement's facts as staff worded them (a template's facts, edited), with the same
   * {{variables}} a notice template may use; every one it uses must be filled (422 otherwise).
   */
  factsWording?: string | null;
  /** A notice template chosen by staff; every variable it uses must be filled (422 otherwise). */
  template?: { id: string; body: string } | null;
  /** The notice's kind, text and data, when the caller words it (automated paths). */
  notice?: { kind: NoticeKind; text: string; data: Record<string, unknown> };
  /** Extra facts for the action's audit entry (report ids, a case, a rule, the URLs...). */
  auditDetail?: Record<string, unknown>;
}

/** What a decision would tell the person (a preview): computed by the same code as apply's. */
export interface Worded {
  action: EnforcementAction;
  policy: string;
  severity: string;
  statement: Statement;
  /** The notice's text. */
  notice: string;
}

export interface Applied {
  actionId: string;
  action: EnforcementAction;
  /** The policy and severity keys it was taken under. */
  policy: string;
  severity: string;
  expiresAt: string | null;
  statement: Statement;
  before: Standing;
  after: Standing;
  events: UserEvent[];
  jobs: OutboxJob[];
  /** Outbox rows other services wrote in this transaction (content removal); publish after commit. */
  outboxIds: Array<string | null>;
}

/** How a template's {{action}} reads. */
const ACTION_WORDS: Record<string, string> = {
  warn: 'a warning',
  remove_content: 'removal of your content',
  restrict_messaging: 'a messaging restriction',
  suspend: 'a suspension',
  ban: 'a ban',
  suspend_reporting: 'a suspension of reporting',
};
const until = (at: string | null) => (at ? new Date(at).toUTCString() : '');

const ENDED_TEXT = {
  suspend: 'Your suspension has ended. You can use Backchannel again.',
  restrict_messaging: 'Your messaging restriction has ended. You can start conversations and send messages again.',
};

const LIFTED_WORDS: Record<string, string> = {
  warn: 'warning',
  restrict_messaging: 'messaging restriction',
  suspend: 'suspension',
  ban: 'ban',
};
/** Whether anything still applies after this lift is said plainly; the staff note is never shown. */
function liftedNotice(action: string, after: Standing): string {
  const head = `We lifted the ${LIFTED_WORDS[action] ?? 'action'} on your account.`;
  if (action === 'warn') return `${head} It no longer counts against your account.`;
  if (after.status === 'banned') return `${head} Another ban on your account is still in force.`;
  if (after.status === 'suspended') return `${head} Another suspension still applies until ${until(after.suspendedUntil)}.`;
  if (action === 'restrict_messaging' && after.restrictedUntil) {
    return `${head} Another restriction still applies until ${until(after.restrictedUntil)}.`;
  }
  return action === 'restrict_messaging'
    ? `${head} You can start conversations and send messages again.`
    : `${head} You can use Backchannel again.`;
}

/** What the actioned person is told; never the staff note, which is internal. */
function noticeFor(action: EnforcementAction, because: string, expiresAt: string | null, subjectType?: string): string {
  switch (action) {
    case 'warn':
      return `Warning: we reviewed a report about you and found ${because}. Repeated violations lead to restrictions or suspension.`;
    case 'remove_content':
      return `We removed your ${subjectType === 'question' ? 'question' : 'message'} for ${because}.`;
    case 'restrict_messaging':
      return `You cannot start conversations or send messages until ${until(expiresAt)}, for ${because}.`;
    case 'suspend':
      return `Your account is suspended until ${until(expiresAt)}, for ${because}.`;
    case 'ban':
      return `Your account is banned for ${because}.`;
    case 'suspend_reporting':
      return `You can't file reports until ${until(expiresAt)}, for ${because} after an earlier warning. You can still use Backchannel as before.`;
  }
}

/**
 * Enforcement against an account. Every action is a `moderation_action` row (a strike);
 * the account's standing (status, suspended_until, restricted_until) is always recomputed
 * from the actions still in force, so lifting one action (an upheld appeal) or its expiry
 * can never undo another that still applies.
 */
@Injectable()
export class EnforcementService {
  private readonly logger = new Logger(EnforcementService.name);

  constructor(
    private readonly db: Db,
    private readonly notices: NoticesService,
    private readonly messages: MessagesService,
    private readonly accounts: AccountsService,
    private readonly accountStatus: AccountStatusService,
    private readonly events: EventsService,
    private readonly audit: AuditLogService,
    private readonly webhooks: PlatformWebhooks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Hours for a timed action: the given duration, else the ladder's default. */
  static duration(action: string, durationHours: number | null | undefined): number | null {
    if (!TIMED_ACTIONS.has(action)) return null;
    return durationHours && durationHours > 0 ? durationHours : DEFAULT_DURATION_HOURS[action];
  }

  /** Locks the account row; 404 if there is no such account. */
  async lockStanding(q: Queryable, userId: string): Promise<Standing> {
    const standing = await enforcement.lockStanding(q, userId);
    if (!standing) throw new NotFound('No such user.');
    return standing;
  }

  /**
   * Applies an action inside the caller's transaction: the strike row, the content removal
   * (remove_content), the new standing, a notice to the person, the expiry job of a timed
   * action, and its one audit entry (`user.<action>`, naming the actionId). Every action
   * path (resolves, direct actions, held-message rejects, automated removals) comes through
   * here, so the transparency counts of `moderation_action` and the audit log's `user.*`
   * entries are written together and always reconcile. The caller publishes the outbox and
   * calls afterCommit().
   */
  async apply(q: Queryable, input: ApplyInput): Promise<Applied> {
    // A removal that is only recorded changes no standing: no account lock (the automated
    // paths already hold the content's row lock; taking the account's after it would invert
    // the order staff resolutions use).
    const recordOnly = input.action === 'remove_content' && input.alreadyRemoved === true;
    const before = recordOnly ? await this.readStanding(q, input.userId) : await this.lockStanding(q, input.userId);
    const outboxIds: Array<string | null> = [];
    const events: UserEvent[] = [];
    if (input.action === 'remove_content' && !recordOnly) {
      const targets = (input.removeSubjects ?? (input.subject ? [input.subject] : [])).filter(
        (s) => s.type === 'message' || s.type === 'question',
      );
      if (targets.length === 0) throw new Unprocessable('remove_content applies to a reported message or question.');
      for (const t of targets) {
        if (t.type === 'message') outboxIds.push((await this.messages.removeIn(q, t.id, 'moderation')).outboxId);
        else events.push(...(await this.removeQuestion(q, t.id)));
      }
    }
    const hours = EnforcementService.duration(input.action, input.durationHours);
    const { policy, severity } = input.policy;
    const actionId = newId();
    const { expiresAt, appealUntil } = await enforcement.insertAction(q, {
      id: actionId,
      userId: input.userId,
      action: input.action,
      reason: input.reason,
      note: input.note ?? null,
      staffId: input.staffId,
      reportId: input.reportId ?? null,
      subjectType: input.subject?.type ?? null,
      subjectId: input.subject?.id ?? null,
      hours,
      automated: input.automated === true,
      appealWindowDays: this.config.appealWindowDays,
      policy: policy.key,
      severity: severity.key,
      category: policy.category,
      strikes: severity.strikes,
      strikeDays: severity.expiryDays,
    });
    const after = recordOnly ? before : await this.reconcile(q, input.userId);
    await this.audit.record(q, {
      staffId: input.staffId,
      action: `user.${input.action}`,
      subjectType: 'user',
      subjectId: input.userId,
      before,
      after: {
        ...after,
        actionId,
        expiresAt,
        automated: input.automated === true,
        reason: input.reason,
        policy: policy.key,
        severity: severity.key,
        strikes: severity.strikes,
        note: input.note ?? null,
        subject: input.subject ?? null,
        ...(input.auditDetail ?? {}),
      },
    });
    const { statement, text } = await this.word(q, input, { expiresAt, appealUntil });
    const draft: NoticeDraft = {
      userId: input.userId,
      kind: input.notice?.kind ?? (input.action === 'warn' ? 'warning' : 'enforcement'),
      text,
      data: {
        ...(input.notice?.data ?? {}),
        actionId,
        action: input.action,
        reason: input.reason,
        policy: policy.key,
        severity: severity.key,
        expiresAt,
        appealable: appealUntil !== null,
        ...(input.template ? { templateId: input.template.id } : {}),
      },
      statement,
    };
    events.push(...(await this.notices.create(q, [draft])));
    const jobs: OutboxJob[] = hours
      ? [{ name: JobName.ExpireAction, data: { actionId }, jobId: `expire-action-${actionId}`, delayMs: Math.ceil(hours * 3600_000) }]
      : [];
    // The host app hears of it (PLATFORM_WEBHOOK_URL) when the person is one of its users.
    jobs.push(
      ...(await this.webhooks.jobsFor(q, input.userId, 'enforcement.applied', {
        id: actionId,
        action: input.action,
        reason: input.reason,
        expiresAt,
      })),
    );
    return {
      actionId,
      action: input.action,
      policy: policy.key,
      severity: severity.key,
      expiresAt,
      statement,
      before,
      after,
      events,
      jobs,
      outboxIds,
    };
  }

  /**
   * The statement of reasons and the notice text a decision gives, once its end and appeal
   * deadline are known: the one wording that apply() sends and preview() shows.
   */
  private async word(
    q: Queryable,
    input: ApplyInput,
    times: { expiresAt: string | null; appealUntil: string | null },
  ): Promise<{ statement: Statement; text: string }> {
    const { policy } = input.policy;
    const found = policyWords(policy);
    const facts = input.facts ?? staffFacts({ action: input.action, policy, subjectType: input.subject?.type, reports: input.reports });
    const wording = input.facts === undefined && input.factsWording ? input.factsWording : null;
    let statement = statementFor({
      action: input.action,
      reason: input.reason,
      policy,
      facts,
      automated: input.automated === true,
      endsAt: times.expiresAt,
      appealUntil: times.appealUntil,
    });
    let text = input.notice?.text ?? noticeFor(input.action, found, times.expiresAt, input.subject?.type);
    if (input.template || wording) {
      const u = await enforcement.userNames(q, input.userId);
      const values = {
        handle: u?.handle ?? null,
        displayName: u?.displayName ?? null,
        action: ACTION_WORDS[input.action],
        endsAt: times.expiresAt ? until(times.expiresAt) : null,
        reason: found,
        ground: statement.ground,
        appealUntil: times.appealUntil ? until(times.appealUntil) : null,
        policy: policy.title,
      };
      if (wording) {
        assertKnownVariables(wording);
        statement = { ...statement, facts: renderTemplate(wording, values).trim() };
      }
      if (input.template) text = renderTemplate(input.template.body, values);
    }
    return { statement, text };
  }

  /**
   * What apply() would tell the person, without acting: the statement of reasons and the
   * notice, worded by the same code, with the end and appeal deadline counted from now as
   * the action's row would count them.
   */
  async preview(q: Queryable, input: ApplyInput): Promise<Worded> {
    const hours = EnforcementService.duration(input.action, input.durationHours);
    const times = await enforcement.actionTimes(q, hours, this.config.appealWindowDays);
    const { statement, text } = await this.word(q, input, times);
    return { action: input.action, policy: input.policy.policy.key, severity: input.policy.severity.key, statement, notice: text };
  }

  /**
   * An action the platform takes by itself (a malicious link, a rule): recorded like a staff
   * action (so it can be appealed, is counted in transparency reports and gives its
   * severity's strikes), with the statement of reasons (automated: true) in the person's notice and one
   * audit entry with no staff member. Runs in the caller's transaction; the caller appends
   * `events` and `jobs` to the outbox and, for account-level actions, calls afterCommit().
   * This is the entry point for the rules engine.
   */
  async recordAutomated(
    q: Queryable,
    input: {
      userId: string;
      action: EnforcementAction;
      reason: string;
      /** The policy and severity (PoliciesService.choose), as a staff decision names them. */
      policy: PolicyChoice;
      facts: string;
      subject?: { type: string; id: string } | null;
      durationHours?: number | null;
      /** remove_content: the caller already took the content down (true for the link scanner). */
      alreadyRemoved?: boolean;
      notice?: { kind: NoticeKind; text: string; data: Record<string, unknown> };
      /** Recorded in the audit entry, e.g. {ruleId} or {urls}. */
      detail?: Record<string, unknown>;
    },
  ): Promise<Applied> {
    return this.apply(q, {
      userId: input.userId,
      action: input.action,
      durationHours: input.durationHours,
      reason: input.reason,
      policy: input.policy,
      staffId: null,
      subject: input.subject ?? null,
      automated: true,
      alreadyRemoved: input.alreadyRemoved,
      facts: input.facts,
      notice: input.notice,
      auditDetail: input.detail,
    });
  }

  private async readStanding(q: Queryable, userId: string): Promise<Standing> {
    const standing = await enforcement.readStanding(q, userId);
    if (!standing) throw new NotFound('No such user.');
    return standing;
  }

  /**
   * After commit: a suspension or ban signs the person out everywhere at once (refresh
   * tokens revoked, the status cache dropped, gateways told to drop their sockets).
   */
  async afterCommit(userId: string, before: Standing, after: Standing): Promise<void> {
    if (before.status === after.status && before.suspendedUntil === after.suspendedUntil) return;
    if (after.status !== 'active') await this.accounts.revokeAllSessions(userId);
    await this.accountStatus.changed(userId);
  }

  /**
   * Recomputes an account's standing from the actions in force: an unlifted ban, else the
   * latest unlifted suspension still running, else active; restricted until the latest
   * unlifted restriction ends. Idempotent, so expiry jobs may run any number of times.
   */
  async reconcile(q: Queryable, userId: string): Promise<Standing> {
    return enforcement.reconcileStanding(q, userId);
  }

  /** Lifts an action (an upheld appeal): its strikes stop counting and it stops applying. */
  async lift(
    q: Queryable,
    actionId: string,
    reason: string,
  ): Promise<{ userId: string; before: Standing; after: Standing; jobs: OutboxJob[] } | null> {
    const a = await enforcement.actionToLift(q, actionId);
    if (!a) return null;
    const before = await this.lockStanding(q, a.userId);
    await enforcement.markLifted(q, actionId, reason);
    const after = await this.reconcile(q, a.userId);
    const jobs = await this.webhooks.jobsFor(q, a.userId, 'enforcement.lifted', {
      id: actionId,
      action: a.action,
      reason: a.reason,
      expiresAt: a.expiresAt,
    });
    return { userId: a.userId, before, after, jobs };
  }

  /**
   * Staff end a warning, restriction, suspension or ban early (POST /admin/v1/actions/:id/lift);
   * its strikes stop counting at once.
   * Locks the account and then the action (the order apply() and appeals use), so parallel
   * lifts of one action succeed exactly once. The standing is recomputed from the actions
   * still in force: of two overlapping suspensions, lifting one leaves the other applying.
   * After commit the status caches of every API process are dropped (account-changed).
   */
  async liftEarly(actionId: string, staffId: string, note: string | null): Promise<ActionRow> {
    if (!isUuid(actionId)) throw new NotFound('No such action.');
    const ownerId = await enforcement.actionOwner(this.db, actionId);
    if (!ownerId) throw new NotFound('No such action.');
    const done = await this.db.tx(async (q) => {
      const before = await this.lockStanding(q, ownerId);
      const a = await enforcement.lockAction(q, actionId);
      if (!LIFTABLE_ACTIONS.has(a.action))
        throw new NotLiftable(`A ${a.action} cannot be lifted; only a warning, restriction, suspension or ban can.`);
      if (a.liftedAt) throw new AlreadyLifted();
      if (a.expiresAt && new Date(a.expiresAt).getTime() <= Date.now()) throw new AlreadyEnded();
      await enforcement.markLiftedByStaff(q, actionId);
      const row = await enforcement.actionWithNames(q, actionId);
      const after = await this.reconcile(q, ownerId);
      await this.audit.record(q, {
        staffId,
        action: 'action.lift',
        subjectType: 'user',
        subjectId: ownerId,
        before: { ...before, actionId, action: a.action, expiresAt: a.expiresAt },
        after: { ...after, actionId, note },
      });
      const text = liftedNotice(a.action, after);
      const statement = statementFor({ action: 'lift', reason: a.reason, facts: text, automated: false, endsAt: null, appealUntil: null });
      const events = await this.notices.create(q, [
        { userId: ownerId, kind: 'action_lifted', text, data: { actionId, action: a.action }, statement },
      ]);
      const jobs = await this.webhooks.jobsFor(q, ownerId, 'enforcement.lifted', {
        id: actionId,
        action: a.action,
        reason: a.reason,
        expiresAt: a.expiresAt,
      });
      const outboxId = await this.events.append(q, events, jobs);
      return { row, before, after, outboxId };
    });
    this.events.published(done.outboxId);
    await this.afterCommit(ownerId, done.before, done.after);
    return done.row!;
  }

  /**
   * The expiry job of a timed action: once it has run out, the account's standing is
   * recomputed (a suspension ends, a restriction lifts). Early or repeated runs change
   * nothing. Reads already treat a past suspended_until/restricted_until as over, so this
   * only tidies the stored status and tells the gateways.
   */
  async expireAction(actionId: string): Promise<boolean> {
    const a = await enforcement.actionExpiry(this.db, actionId);
    if (!a || !a.expiresAt) return false;
    if (new Date(a.expiresAt).getTime() > Date.now()) return false;
    return this.expireUser(a.userId);
  }

  /** Every account whose suspension or restriction has run out (a safety net for lost jobs). */
  async expireDue(limit = 500): Promise<number> {
    const userIds = await enforcement.dueForExpiry(this.db, limit);
    let n = 0;
    for (const userId of userIds) if (await this.expireUser(userId)) n++;
    return n;
  }

  private async expireUser(userId: string): Promise<boolean> {
    const res = await this.db.tx(async (q) => {
      const before = await this.lockStanding(q, userId);
      const after = await this.reconcile(q, userId);
      // The person is told when a timed action has run its course (once: a repeated run finds nothing changed).
      const ended: Array<'suspend' | 'restrict_messaging'> = [];
      if (before.status === 'suspended' && after.status === 'active') ended.push('suspend');
      if (before.restrictedUntil && !after.restrictedUntil) ended.push('restrict_messaging');
      const drafts: NoticeDraft[] = ended.map((action) => {
        const text = action === 'suspend' ? ENDED_TEXT.suspend : ENDED_TEXT.restrict_messaging;
        return {
          userId,
          kind: 'action_ended',
          text,
          data: { action },
          statement: statementFor({ action: 'expire', reason: null, facts: text, automated: true, endsAt: null, appealUntil: null }),
        };
      });
      const outboxId = drafts.length ? await this.events.append(q, await this.notices.create(q, drafts)) : null;
      return { before, after, outboxId };
    });
    this.events.published(res.outboxId);
    const changed = JSON.stringify(res.before) !== JSON.stringify(res.after);
    if (changed && res.before.status !== res.after.status) await this.accountStatus.changed(userId);
    return changed;
  }

  listActions(query: ListQuery): Promise<ListPage<ActionRow>> {
    return enforcement.listActions(this.db.replica, query);
  }

  async oneAction(id: string): Promise<ActionRow> {
    if (!isUuid(id)) throw new NotFound('No such action.');
    const row = await enforcement.actionWithNames(this.db, id);
    if (!row) throw new NotFound('No such action.');
    return row;
  }

  /**
   * A question removed by staff: text and links gone for everyone, like a removed message;
   * question.updated goes to those who could see it (author, room moderators, and everyone
   * present when it was pinned).
   */
  private async removeQuestion(q: Queryable, questionId: string): Promise<UserEvent[]> {
    const row = await enforcement.removeQuestion(q, questionId);
    if (!row) return [];
    const audience = await questionAudience(q, row.roomId, row.status === 'pinned', row.authorId);
    const view = questionViewOf(row);
    return audience.map((userId) => ({ userId, type: 'question.updated' as const, payload: { question: view } }));
  }
}
