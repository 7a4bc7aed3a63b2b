import { Injectable, Logger } from '@nestjs/common';
import { AccountStatusService } from '../accounts/account-status.service';
import { AccountsService } from '../accounts/accounts.service';
import { Db, type Queryable } from '../db/db.service';
import { AlreadyEnded, AlreadyLifted, NotFound, NotLiftable, Unprocessable } from '../errors';
import { EventsService } from '../events/events.service';
import { AuditLogService } from './audit-log.service';
import { runList, type ListPage, type ListQuery, type ListSpec } from './staff-list';
import type { UserEvent } from '../events/event-types';
import { isUuid, newId } from '../ids';
import { MessagesService } from '../messages/messages.service';
import { JobName, type OutboxJob } from '../queues';
import { questionView } from '../rooms/room-views';
import { NoticesService, type NoticeDraft } from './notices.service';
import { iso } from './rows';
import { STRIKE_DECAY_DAYS } from './strike-ladder';
import { DEFAULT_DURATION_HOURS, LIFTABLE_ACTIONS, TIMED_ACTIONS, type EnforcementAction } from './vocabulary';

/** The account's standing, as the audit log records it before and after an action. */
export interface Standing {
  status: string;
  suspendedUntil: string | null;
  restrictedUntil: string | null;
}

export interface ApplyInput {
  userId: string;
  action: EnforcementAction;
  durationHours?: number | null;
  note?: string | null;
  /** Why (the report's reason, or "direct"). */
  reason: string | null;
  staffId: string | null;
  reportId?: string | null;
  subject?: { type: string; id: string } | null;
  /** remove_content: every message or question to take down (default: the subject). */
  removeSubjects?: Array<{ type: string; id: string }>;
}

export interface Applied {
  actionId: string;
  action: EnforcementAction;
  expiresAt: string | null;
  before: Standing;
  after: Standing;
  events: UserEvent[];
  jobs: OutboxJob[];
  /** Outbox rows other services wrote in this transaction (content removal); publish after commit. */
  outboxIds: Array<string | null>;
}

export interface ActionRow {
  id: string;
  userId: string;
  action: string;
  reason: string | null;
  note: string | null;
  staffId: string | null;
  reportId: string | null;
  subjectType: string | null;
  subjectId: string | null;
  createdAt: string;
  expiresAt: string | null;
  liftedAt: string | null;
  liftedReason: string | null;
  active: boolean;
  /** Names beside the ids, for the console (null where the read did not join them). */
  userHandle: string | null;
  userDisplayName: string | null;
  staffName: string | null;
}

export const toActionRow = (r: any): ActionRow => ({
  id: r.id,
  userId: r.user_id,
  action: r.action,
  reason: r.reason,
  note: r.note,
  staffId: r.staff_id,
  reportId: r.report_id,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  createdAt: iso(r.created_at)!,
  expiresAt: iso(r.expires_at),
  liftedAt: iso(r.lifted_at),
  liftedReason: r.lifted_reason ?? null,
  active: !r.lifted_at && (!r.expires_at || new Date(r.expires_at).getTime() > Date.now()),
  userHandle: r.user_handle ?? null,
  userDisplayName: r.user_display_name ?? null,
  staffName: r.staff_name ?? null,
});

/** The action with the names of its user and staff member. */
export const ACTION_NAMES_SQL = `a.*, u.handle AS user_handle, u.display_name AS user_display_name, s.display_name AS staff_name
  FROM moderation_action a LEFT JOIN app_user u ON u.id = a.user_id LEFT JOIN staff s ON s.id = a.staff_id`;

const ACTIONS_LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'a.id' },
    userId: { kind: 'uuid', sql: 'a.user_id' },
    userQ: { kind: 'search', columns: ['(SELECT x.handle FROM app_user x WHERE x.id = a.user_id)', '(SELECT x.display_name FROM app_user x WHERE x.id = a.user_id)'] },
    action: { kind: 'text', sql: 'a.action' },
    staffId: { kind: 'uuid', sql: 'a.staff_id' },
    reportId: { kind: 'uuid', sql: 'a.report_id' },
    subjectId: { kind: 'uuid', sql: 'a.subject_id' },
    active: { kind: 'bool', sql: 'a.lifted_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > now())' },
  },
  sorts: {
    createdAt: 'a.created_at', action: 'a.action', reason: 'a.reason', note: 'a.note', expiresAt: 'a.expires_at', liftedAt: 'a.lifted_at',
    userId: 'a.user_id', staffId: 'a.staff_id', reportId: 'a.report_id', id: 'a.id',
  },
  tiebreak: 'a.id DESC',
};

const standingOf = (r: any): Standing => ({
  status: r.status,
  suspendedUntil: iso(r.suspended_until),
  restrictedUntil: iso(r.restricted_until),
});

const REASON_WORDS: Record<string, string> = {
  spam: 'spam',
  harassment: 'harassment',
  hate: 'hateful conduct',
  violence: 'violent content',
  self_harm: 'content about self-harm',
  scam: 'scams or fraud',
  malicious_link: 'a malicious link',
  other: 'breaking our rules',
  direct: 'breaking our rules',
};
const because = (reason: string | null) => REASON_WORDS[reason ?? 'other'] ?? 'breaking our rules';
const until = (at: string | null) => (at ? new Date(at).toUTCString() : '');

const LIFTED_WORDS: Record<string, string> = { restrict_messaging: 'messaging restriction', suspend: 'suspension', ban: 'ban' };
/** Whether anything still applies after this lift is said plainly; the staff note is never shown. */
function liftedNotice(action: string, after: Standing): string {
  const head = `We lifted the ${LIFTED_WORDS[action] ?? 'action'} on your account.`;
  if (after.status === 'banned') return `${head} Another ban on your account is still in force.`;
  if (after.status === 'suspended') return `${head} Another suspension still applies until ${until(after.suspendedUntil)}.`;
  if (action === 'restrict_messaging' && after.restrictedUntil) {
    return `${head} Another restriction still applies until ${until(after.restrictedUntil)}.`;
  }
  return action === 'restrict_messaging' ? `${head} You can start conversations and send messages again.` : `${head} You can use Backchannel again.`;
}

/** What the actioned person is told; never the staff note, which is internal. */
function noticeFor(action: EnforcementAction, reason: string | null, expiresAt: string | null, subjectType?: string): string {
  switch (action) {
    case 'warn':
      return `Warning: we reviewed a report about you and found ${because(reason)}. Repeated violations lead to restrictions or suspension.`;
    case 'remove_content':
      return `We removed your ${subjectType === 'question' ? 'question' : 'message'} for ${because(reason)}.`;
    case 'restrict_messaging':
      return `You cannot start conversations or send messages until ${until(expiresAt)}, for ${because(reason)}.`;
    case 'suspend':
      return `Your account is suspended until ${until(expiresAt)}, for ${because(reason)}.`;
    case 'ban':
      return `Your account is banned for ${because(reason)}.`;
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
  ) {}

  /** Hours for a timed action: the given duration, else the ladder's default. */
  static duration(action: string, durationHours: number | null | undefined): number | null {
    if (!TIMED_ACTIONS.has(action)) return null;
    return durationHours && durationHours > 0 ? durationHours : DEFAULT_DURATION_HOURS[action];
  }

  /** Locks the account row; 404 if there is no such account. */
  async lockStanding(q: Queryable, userId: string): Promise<Standing> {
    const [u] = await q.query('SELECT status, suspended_until, restricted_until FROM app_user WHERE id = $1 FOR UPDATE', [userId]);
    if (!u) throw new NotFound('No such user.');
    return standingOf(u);
  }

  /**
   * Applies an action inside the caller's transaction: the strike row, the content removal
   * (remove_content), the new standing, a notice to the person, and the expiry job of a
   * timed action. The caller publishes the outbox and calls afterCommit().
   */
  async apply(q: Queryable, input: ApplyInput): Promise<Applied> {
    const before = await this.lockStanding(q, input.userId);
    const outboxIds: Array<string | null> = [];
    const events: UserEvent[] = [];
    if (input.action === 'remove_content') {
      const targets = (input.removeSubjects ?? (input.subject ? [input.subject] : [])).filter((s) => s.type === 'message' || s.type === 'question');
      if (targets.length === 0) throw new Unprocessable('remove_content applies to a reported message or question.');
      for (const t of targets) {
        if (t.type === 'message') outboxIds.push((await this.messages.removeIn(q, t.id, 'moderation')).outboxId);
        else events.push(...(await this.removeQuestion(q, t.id)));
      }
    }
    const hours = EnforcementService.duration(input.action, input.durationHours);
    const actionId = newId();
    const [row] = await q.query(
      `INSERT INTO moderation_action (id, user_id, action, reason, note, staff_id, report_id, subject_type, subject_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
               CASE WHEN $10::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $10::float8 * 3600) END)
       RETURNING *`,
      [
        actionId, input.userId, input.action, input.reason, input.note ?? null, input.staffId, input.reportId ?? null,
        input.subject?.type ?? null, input.subject?.id ?? null, hours,
      ],
    );
    const after = await this.reconcile(q, input.userId);
    const expiresAt = iso(row.expires_at);
    const draft: NoticeDraft = {
      userId: input.userId,
      kind: input.action === 'warn' ? 'warning' : 'enforcement',
      text: noticeFor(input.action, input.reason, expiresAt, input.subject?.type),
      data: { actionId, action: input.action, reason: input.reason, expiresAt, appealable: true },
    };
    events.push(...(await this.notices.create(q, [draft])));
    const jobs: OutboxJob[] = hours
      ? [{ name: JobName.ExpireAction, data: { actionId }, jobId: `expire-action-${actionId}`, delayMs: Math.ceil(hours * 3600_000) }]
      : [];
    return { actionId, action: input.action, expiresAt, before, after, events, jobs, outboxIds };
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
    const [u] = await q.query(
      `WITH a AS (
         SELECT coalesce(bool_or(action = 'ban'), false) AS banned,
                max(expires_at) FILTER (WHERE action = 'suspend' AND expires_at > now()) AS suspended_until,
                max(expires_at) FILTER (WHERE action = 'restrict_messaging' AND expires_at > now()) AS restricted_until
           FROM moderation_action WHERE user_id = $1 AND lifted_at IS NULL)
       UPDATE app_user u SET
         status = CASE WHEN a.banned THEN 'banned' WHEN a.suspended_until IS NOT NULL THEN 'suspended' ELSE 'active' END,
         suspended_until = CASE WHEN a.banned THEN NULL ELSE a.suspended_until END,
         restricted_until = a.restricted_until
       FROM a WHERE u.id = $1
       RETURNING u.status, u.suspended_until, u.restricted_until`,
      [userId],
    );
    return standingOf(u);
  }

  /** Lifts an action (an upheld appeal): it stops counting as a strike and stops applying. */
  async lift(q: Queryable, actionId: string, reason: string): Promise<{ userId: string; before: Standing; after: Standing } | null> {
    const [a] = await q.query('SELECT user_id FROM moderation_action WHERE id = $1', [actionId]);
    if (!a) return null;
    const before = await this.lockStanding(q, a.user_id);
    await q.query('UPDATE moderation_action SET lifted_at = now(), lifted_reason = $2 WHERE id = $1 AND lifted_at IS NULL', [actionId, reason]);
    const after = await this.reconcile(q, a.user_id);
    return { userId: a.user_id, before, after };
  }

  /**
   * Staff end a restriction, suspension or ban early (POST /admin/v1/actions/:id/lift).
   * Locks the account and then the action (the order apply() and appeals use), so parallel
   * lifts of one action succeed exactly once. The standing is recomputed from the actions
   * still in force: of two overlapping suspensions, lifting one leaves the other applying.
   * After commit the status caches of every API process are dropped (account-changed).
   */
  async liftEarly(actionId: string, staffId: string, note: string | null): Promise<ActionRow> {
    if (!isUuid(actionId)) throw new NotFound('No such action.');
    const owner = await this.db.one<{ user_id: string }>('SELECT user_id FROM moderation_action WHERE id = $1', [actionId]);
    if (!owner) throw new NotFound('No such action.');
    const done = await this.db.tx(async (q) => {
      const before = await this.lockStanding(q, owner.user_id);
      const [a] = await q.query('SELECT * FROM moderation_action WHERE id = $1 FOR UPDATE', [actionId]);
      if (!LIFTABLE_ACTIONS.has(a.action)) throw new NotLiftable(`A ${a.action} cannot be lifted; only a restriction, suspension or ban can.`);
      if (a.lifted_at) throw new AlreadyLifted();
      if (a.expires_at && new Date(a.expires_at).getTime() <= Date.now()) throw new AlreadyEnded();
      await q.query(`UPDATE moderation_action SET lifted_at = now(), lifted_reason = 'staff_lift' WHERE id = $1`, [actionId]);
      const [row] = await q.query(`SELECT ${ACTION_NAMES_SQL} WHERE a.id = $1`, [actionId]);
      const after = await this.reconcile(q, owner.user_id);
      await this.audit.record(q, {
        staffId, action: 'action.lift', subjectType: 'user', subjectId: owner.user_id,
        before: { ...before, actionId, action: a.action, expiresAt: iso(a.expires_at) },
        after: { ...after, actionId, note },
      });
      const events = await this.notices.create(q, [
        { userId: owner.user_id, kind: 'action_lifted', text: liftedNotice(a.action, after), data: { actionId, action: a.action } },
      ]);
      const outboxId = await this.events.append(q, events);
      return { row, before, after, outboxId };
    });
    this.events.published(done.outboxId);
    await this.afterCommit(owner.user_id, done.before, done.after);
    return toActionRow(done.row);
  }

  /**
   * The expiry job of a timed action: once it has run out, the account's standing is
   * recomputed (a suspension ends, a restriction lifts). Early or repeated runs change
   * nothing. Reads already treat a past suspended_until/restricted_until as over, so this
   * only tidies the stored status and tells the gateways.
   */
  async expireAction(actionId: string): Promise<boolean> {
    const [a] = await this.db.query('SELECT user_id, expires_at FROM moderation_action WHERE id = $1', [actionId]);
    if (!a || !a.expires_at) return false;
    if (new Date(a.expires_at).getTime() > Date.now()) return false;
    return this.expireUser(a.user_id);
  }

  /** Every account whose suspension or restriction has run out (a safety net for lost jobs). */
  async expireDue(limit = 500): Promise<number> {
    const rows = await this.db.query(
      `SELECT id FROM app_user WHERE status = 'suspended' AND suspended_until <= now()
       UNION SELECT id FROM app_user WHERE restricted_until <= now() LIMIT $1`,
      [limit],
    );
    let n = 0;
    for (const r of rows) if (await this.expireUser(r.id)) n++;
    return n;
  }

  private async expireUser(userId: string): Promise<boolean> {
    const res = await this.db.tx(async (q) => {
      const before = await this.lockStanding(q, userId);
      const after = await this.reconcile(q, userId);
      return { before, after };
    });
    const changed = JSON.stringify(res.before) !== JSON.stringify(res.after);
    if (changed && res.before.status !== res.after.status) await this.accountStatus.changed(userId);
    return changed;
  }

  /** Strikes in force: unlifted actions of the last STRIKE_DECAY_DAYS days. */
  async activeStrikes(q: Queryable, userId: string): Promise<number> {
    const [r] = await q.query(
      `SELECT count(*)::int AS n FROM moderation_action
        WHERE user_id = $1 AND lifted_at IS NULL AND created_at > now() - make_interval(days => $2)`,
      [userId, STRIKE_DECAY_DAYS],
    );
    return r?.n ?? 0;
  }

  listActions(query: ListQuery): Promise<ListPage<ActionRow>> {
    return runList(
      this.db.replica,
      ACTIONS_LIST,
      query,
      (c) => ({
        sql: `SELECT ${ACTION_NAMES_SQL.replace(' FROM', ', count(*) OVER () AS _total FROM')} ${c.where} ${c.orderBy}`,
        countSql: `SELECT count(*)::int AS n FROM moderation_action a ${c.where}`,
      }),
      toActionRow,
    );
  }

  async oneAction(id: string): Promise<ActionRow> {
    if (!isUuid(id)) throw new NotFound('No such action.');
    const row = await this.db.one(`SELECT ${ACTION_NAMES_SQL} WHERE a.id = $1`, [id]);
    if (!row) throw new NotFound('No such action.');
    return toActionRow(row);
  }

  /**
   * A question removed by staff: text and links gone for everyone, like a removed message;
   * question.updated goes to those who could see it (author, room moderators, and everyone
   * present when it was pinned).
   */
  private async removeQuestion(q: Queryable, questionId: string): Promise<UserEvent[]> {
    const [row] = await q.query(
      `UPDATE question SET state = 'removed', removed_reason = 'moderation', text = NULL, links = '[]'::jsonb, updated_at = now()
        WHERE id = $1 AND state = 'visible' RETURNING *`,
      [questionId],
    );
    if (!row) return [];
    const audience = await q.query(
      `SELECT user_id FROM room_member WHERE room_id = $1 AND present AND (role = 'moderator' OR $2::boolean)
       UNION SELECT $3::uuid`,
      [row.room_id, row.status === 'pinned', row.author_id],
    );
    const view = questionView(row);
    return audience.map((r) => ({ userId: r.user_id, type: 'question.updated' as const, payload: { question: view } }));
  }
}
