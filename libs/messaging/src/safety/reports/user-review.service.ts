import { restrictedSql } from '../../policy/standing';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Db } from '../../db/db.service';
import { NotFound } from '../../errors';
import { EventsService } from '../../events/events.service';
import { isUuid } from '../../ids';
import { AuditLogService } from '../audit/audit-log.service';
import { EnforcementService, type ActionRow, type Standing } from '../enforcement/enforcement.service';
import { ACTION_NAMES_SQL, toActionRow, type ActionRecord } from '../enforcement/enforcement.repository';
import type { StaffActor } from './reports.service';
import { iso } from '../rows';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../staff/staff-list';
import { STRIKE_DECAY_DAYS, suggestedAction, type SuggestedAction } from '../enforcement/strike-ladder';
import type { UserAction } from '../vocabulary';

export interface UserRow {
  id: string;
  handle: string;
  displayName: string;
  /** The host app's id for this account (platform API, host-issued tokens); null for native accounts. */
  externalId: string | null;
  status: 'active' | 'suspended' | 'banned';
  restrictedUntil: string | null;
  suspendedUntil: string | null;
  strikes: number;
  createdAt: string;
}

/** As enforced right now: a suspension whose time is up reads as active even before the expiry job ran. */
const STATUS_SQL = `(CASE WHEN u.status = 'suspended' AND u.suspended_until <= now() THEN 'active' ELSE u.status END)`;
const STRIKES_SQL = `(SELECT count(*) FROM moderation_action a
   WHERE a.user_id = u.id AND a.lifted_at IS NULL AND NOT a.automated AND a.created_at > now() - make_interval(days => ${STRIKE_DECAY_DAYS}))::int`;
const COLUMNS = `u.id, u.handle, u.display_name, u.external_id, ${STATUS_SQL} AS status,
  CASE WHEN ${restrictedSql('u')} THEN u.restricted_until END AS restricted_until,
  CASE WHEN u.suspended_until > now() THEN u.suspended_until END AS suspended_until,
  ${STRIKES_SQL} AS strikes, u.created_at`;

const toUser = (r: any): UserRow => ({
  id: r.id,
  handle: r.handle,
  displayName: r.display_name,
  externalId: r.external_id ?? null,
  status: r.status,
  restrictedUntil: iso(r.restricted_until),
  suspendedUntil: iso(r.suspended_until),
  strikes: Number(r.strikes),
  createdAt: iso(r.created_at)!,
});

const LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'u.id' },
    q: { kind: 'search', columns: ['u.handle', 'u.display_name', 'u.external_id'] },
    handle: { kind: 'text', sql: 'u.handle' },
    externalId: { kind: 'text', sql: 'u.external_id' },
    status: { kind: 'enum', sql: STATUS_SQL, values: ['active', 'suspended', 'banned'] },
    restricted: { kind: 'bool', sql: restrictedSql('u') },
  },
  sorts: {
    createdAt: 'u.created_at',
    handle: 'u.handle',
    displayName: 'u.display_name',
    status: STATUS_SQL,
    strikes: STRIKES_SQL,
    restrictedUntil: 'u.restricted_until',
    suspendedUntil: 'u.suspended_until',
    id: 'u.id',
  },
  tiebreak: 'u.id ASC',
};

export interface UserHistory {
  user: UserRow & { allowIncoming: string; requestLimitFactor: number };
  strikes: number;
  suggestedAction: SuggestedAction;
  reportsAbout: unknown[];
  reportsBy: unknown[];
  actions: ActionRow[];
  appeals: unknown[];
  spam: Record<string, unknown> | null;
  recentRequests: unknown[];
}

/** The staff view of accounts: the list, one person's whole moderation history, direct actions. */
@Injectable()
export class UserReviewService {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsService,
    private readonly enforcement: EnforcementService,
    private readonly audit: AuditLogService,
  ) {}

  list(query: ListQuery): Promise<ListPage<UserRow>> {
    return runList(
      this.db.replica,
      LIST,
      query,
      (c) => ({
        sql: `SELECT ${COLUMNS}, count(*) OVER () AS _total FROM app_user u ${c.where} ${c.orderBy}`,
        countSql: `SELECT count(*)::int AS n FROM app_user u ${c.where}`,
      }),
      toUser,
    );
  }

  async one(id: string): Promise<UserRow> {
    if (!isUuid(id)) throw new NotFound('No such user.');
    const row = await this.db.one(`SELECT ${COLUMNS} FROM app_user u WHERE u.id = $1`, [id]);
    if (!row) throw new NotFound('No such user.');
    return toUser(row);
  }

  /**
   * Everything staff need to decide about a person: profile and standing, strikes and the
   * ladder's next step, reports about and by them, actions and appeals, spam signals and the
   * requests they sent recently (with their first words: a read of message content, audited).
   */
  async history(id: string, staff: StaffActor): Promise<UserHistory> {
    if (!isUuid(id)) throw new NotFound('No such user.');
    const q = this.db;
    const [u] = await q.query(`SELECT ${COLUMNS}, u.allow_incoming, u.request_limit_factor FROM app_user u WHERE u.id = $1`, [id]);
    if (!u) throw new NotFound('No such user.');
    const reportCols = `r.id, r.subject_type, r.subject_id, r.reason, r.source, r.status, r.created_at, r.resolved_at, r.resolution ->> 'action' AS outcome`;
    // Independent reads, each on its own pooled connection.
    const [about, by, actions, appeals, spam, requests] = await Promise.all([
      q.query(`SELECT ${reportCols}, r.reporter_id FROM report r WHERE r.subject_user_id = $1 ORDER BY r.created_at DESC LIMIT 50`, [id]),
      q.query(`SELECT ${reportCols}, r.subject_user_id FROM report r WHERE r.reporter_id = $1 ORDER BY r.created_at DESC LIMIT 50`, [id]),
      q.query(`SELECT ${ACTION_NAMES_SQL} WHERE a.user_id = $1 ORDER BY a.created_at DESC LIMIT 50`, [id]),
      q.query(
        `SELECT ap.id, ap.action_id, a.action, ap.status, ap.text, ap.created_at, ap.decided_at
           FROM appeal ap JOIN moderation_action a ON a.id = ap.action_id WHERE ap.user_id = $1 ORDER BY ap.created_at DESC LIMIT 50`,
        [id],
      ),
      q.query('SELECT * FROM sender_stats WHERE sender_id = $1', [id]),
      q.query(
        `SELECT c.id, c.created_at, c.context,
                (SELECT json_agg(json_build_object('userId', m.user_id, 'handle', au.handle, 'state', m.state) ORDER BY m.joined_at)
                   FROM conversation_member m JOIN app_user au ON au.id = m.user_id
                  WHERE m.conversation_id = c.id AND m.user_id <> $1) AS recipients,
                (SELECT x.text FROM message x WHERE x.conversation_id = c.id AND x.sender_id = $1 ORDER BY x.seq LIMIT 1) AS first_text
           FROM conversation c
          WHERE c.creator_id = $1 AND c.kind <> 'room'
            AND (c.request_msgs > 0 OR EXISTS (SELECT 1 FROM conversation_member m
                   WHERE m.conversation_id = c.id AND m.user_id <> $1 AND m.state IN ('pending', 'declined')))
          ORDER BY c.created_at DESC LIMIT 20`,
        [id],
      ),
    ]);
    const report = (r: any) => ({
      id: r.id,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      reason: r.reason,
      source: r.source,
      status: r.status,
      outcome: r.outcome ?? null,
      createdAt: iso(r.created_at),
      resolvedAt: iso(r.resolved_at),
      ...(r.reporter_id !== undefined ? { reporterId: r.reporter_id } : {}),
      ...(r.subject_user_id !== undefined ? { subjectUserId: r.subject_user_id } : {}),
    });
    const user = toUser(u);
    await this.audit.record(q, { staffId: staff.id, action: 'user.history.read', subjectType: 'user', subjectId: id });
    const s = spam[0];
    return {
      user: { ...user, allowIncoming: u.allow_incoming, requestLimitFactor: Number(u.request_limit_factor) },
      strikes: user.strikes,
      suggestedAction: suggestedAction(user.strikes, user),
      reportsAbout: about.map(report),
      reportsBy: by.map(report),
      actions: actions.map(toActionRow),
      appeals: appeals.map((a) => ({
        id: a.id,
        actionId: a.action_id,
        action: a.action,
        status: a.status,
        text: a.text,
        createdAt: iso(a.created_at),
        decidedAt: iso(a.decided_at),
      })),
      spam: s
        ? {
            requestsSent: s.requests_sent,
            declined: s.declined,
            reported: s.reported,
            duplicateTexts: s.duplicate_texts,
            score: Number(s.score),
            flagged: Number(s.score) >= this.config.spamScoreThreshold,
            sample: s.sample ?? [],
            lastAt: iso(s.last_at),
            requestLimitFactor: Number(u.request_limit_factor),
          }
        : null,
      recentRequests: requests.map((r) => ({
        conversationId: r.id,
        createdAt: iso(r.created_at),
        context: r.context ?? null,
        recipients: r.recipients ?? [],
        firstText: r.first_text,
      })),
    };
  }

  /** A direct action on an account (from the user view or the spam queue), outside any report. */
  async act(
    id: string,
    staff: StaffActor,
    body: { action: UserAction; durationHours?: number | null; note?: string | null },
  ): Promise<{ action: ActionRow; standing: Standing }> {
    if (!isUuid(id)) throw new NotFound('No such user.');
    const done = await this.db.tx(async (q) => {
      const applied = await this.enforcement.apply(q, {
        userId: id,
        action: body.action,
        durationHours: body.durationHours,
        note: body.note ?? null,
        reason: 'direct',
        staffId: staff.id,
      });
      const outboxId = await this.events.append(q, applied.events, applied.jobs);
      const [row] = await q.query(`SELECT ${ACTION_NAMES_SQL} WHERE a.id = $1`, [applied.actionId]);
      return { applied, outboxIds: [...applied.outboxIds, outboxId], row };
    });
    for (const o of done.outboxIds) this.events.published(o);
    await this.enforcement.afterCommit(id, done.applied.before, done.applied.after);
    return { action: toActionRow(done.row as ActionRecord), standing: done.applied.after };
  }
}
