import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Db } from '../../db/db.service';
import { NotFound } from '../../errors';
import { EventsService } from '../../events/events.service';
import { isUuid } from '../../ids';
import { AuditLogService } from '../../audit/audit-log.service';
import { EnforcementService, type ActionRow, type Standing } from '../enforcement/enforcement.service';
import type { StaffActor } from './reports.service';
import {
  actionById,
  actionsOn,
  appealsBy,
  pileOnTripsOf,
  reportsAbout,
  reportsBy,
  requestsSentBy,
  senderStats,
  userById,
  userPage,
  userWithSettings,
  type PileOnTripRow,
  type SentRequestRow,
  type UserAppealRow,
  type UserReportRow,
  type UserRow,
  type UserSettingsRow,
} from './user-review.repository';
import type { ListPage, ListQuery } from '../../db/staff-list';
import { suggestedAction, type SuggestedAction } from '../enforcement/strike-ladder';
import { strikesInForce, type StrikeRow } from '../enforcement/enforcement.repository';
import { PoliciesService, type PolicyAsked } from '../enforcement/policies.service';
import type { UserAction } from '../vocabulary';

/** GET /admin/v1/users/:id/standing: the strikes in force and what the ladder suggests next. */
export interface UserStanding {
  activeStrikes: number;
  strikes: StrikeRow[];
  suggestedAction: SuggestedAction;
}

export interface UserHistory {
  user: UserSettingsRow;
  strikes: number;
  suggestedAction: SuggestedAction;
  reportsAbout: UserReportRow[];
  reportsBy: UserReportRow[];
  actions: ActionRow[];
  appeals: UserAppealRow[];
  spam: Record<string, unknown> | null;
  recentRequests: SentRequestRow[];
  /** Times the pile-on breaker switched their Limits on (v1.2), newest first. */
  pileOnTrips: PileOnTripRow[];
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
    private readonly policies: PoliciesService,
  ) {}

  list(query: ListQuery): Promise<ListPage<UserRow>> {
    return userPage(this.db.replica, query);
  }

  async one(id: string): Promise<UserRow> {
    if (!isUuid(id)) throw new NotFound('No such user.');
    const row = await userById(this.db, id);
    if (!row) throw new NotFound('No such user.');
    return row;
  }

  /**
   * Everything staff need to decide about a person: profile and standing, strikes and the
   * ladder's next step, reports about and by them, actions and appeals, spam signals and the
   * requests they sent recently (with their first words: a read of message content, audited).
   */
  async history(id: string, staff: StaffActor): Promise<UserHistory> {
    if (!isUuid(id)) throw new NotFound('No such user.');
    const q = this.db;
    const user = await userWithSettings(q, id);
    if (!user) throw new NotFound('No such user.');
    // Independent reads, each on its own pooled connection.
    const [about, by, actions, appeals, spam, requests, trips] = await Promise.all([
      reportsAbout(q, id),
      reportsBy(q, id),
      actionsOn(q, id),
      appealsBy(q, id),
      senderStats(q, id),
      requestsSentBy(q, id),
      pileOnTripsOf(q, id),
    ]);
    await this.audit.record(q, { staffId: staff.id, action: 'user.history.read', subjectType: 'user', subjectId: id });
    return {
      user,
      strikes: user.strikes,
      suggestedAction: suggestedAction(user.strikes, user),
      reportsAbout: about,
      reportsBy: by,
      actions,
      appeals,
      spam: spam
        ? {
            requestsSent: spam.requestsSent,
            declined: spam.declined,
            reported: spam.reported,
            duplicateTexts: spam.duplicateTexts,
            score: spam.score,
            flagged: spam.score >= this.config.spamScoreThreshold,
            sample: spam.sample,
            lastAt: spam.lastAt,
            requestLimitFactor: user.requestLimitFactor,
          }
        : null,
      recentRequests: requests,
      pileOnTrips: trips,
    };
  }

  /**
   * The strikes in force on a person (each action's, with its policy, severity and expiry) and
   * the ladder's next step. With a policy (and severity) the console is about to choose, the
   * step takes that severity's suggested action into account (strike-ladder.ts).
   */
  async standing(id: string, asked: { policy?: string; severity?: string } = {}): Promise<UserStanding> {
    if (!isUuid(id)) throw new NotFound('No such user.');
    const user = await userById(this.db, id);
    if (!user) throw new NotFound('No such user.');
    const strikes = await strikesInForce(this.db, id);
    const activeStrikes = strikes.reduce((n, s) => n + s.count, 0);
    const violation = asked.policy !== undefined || asked.severity !== undefined ? await this.policies.choose(this.db, asked) : undefined;
    return {
      activeStrikes,
      strikes,
      suggestedAction: suggestedAction(
        activeStrikes,
        user,
        violation && {
          policy: violation.policy.key,
          severity: violation.severity.key,
          suggestedAction: violation.severity.suggestedAction,
        },
      ),
    };
  }

  /** A direct action on an account (from the user view or the spam queue), outside any report. */
  async act(
    id: string,
    staff: StaffActor,
    body: { action: UserAction; durationHours?: number | null; note?: string | null } & Omit<PolicyAsked, 'reason'>,
  ): Promise<{ action: ActionRow; standing: Standing }> {
    if (!isUuid(id)) throw new NotFound('No such user.');
    const done = await this.db.tx(async (q) => {
      const applied = await this.enforcement.apply(q, {
        userId: id,
        action: body.action,
        durationHours: body.durationHours,
        note: body.note ?? null,
        reason: 'direct',
        policy: await this.policies.choose(q, { policy: body.policy, severity: body.severity }),
        staffId: staff.id,
      });
      const outboxId = await this.events.append(q, applied.events, applied.jobs);
      const action = await actionById(q, applied.actionId);
      return { applied, outboxIds: [...applied.outboxIds, outboxId], action };
    });
    for (const o of done.outboxIds) this.events.published(o);
    await this.enforcement.afterCommit(id, done.applied.before, done.applied.after);
    return { action: done.action, standing: done.applied.after };
  }
}
