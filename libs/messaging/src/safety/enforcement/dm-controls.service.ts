import { Injectable } from '@nestjs/common';
import { AuditLogService } from '../../audit/audit-log.service';
import { ConversationsService } from '../../conversations/conversations.service';
import { Db } from '../../db/db.service';
import { NotFound } from '../../errors';
import { EventsService } from '../../events/events.service';
import { isUuid } from '../../ids';
import type { StaffActor } from '../reports/reports.service';
import { dmStats, setDmAccessRevoked, userExists, type DmStats } from './dm-controls.repository';

export interface DmAccessState {
  userId: string;
  /** false while staff have switched off this account's ability to start conversations. */
  dmAccess: boolean;
  revokedAt: string | null;
}

export interface ConversationLockState {
  conversationId: string;
  locked: boolean;
}

/**
 * Moderators' tools for DMs (API.md v1.2, moderator and up): switch one account's DM access off
 * and on, lock and unlock a conversation, and read an account's DM statistics. What the
 * switches refuse is the write policy's (policy/standing.ts, policy/write-policy.ts); this
 * service only sets them, each change with its audit entry in the same transaction. Repeating
 * a switch that is already in that position changes nothing and records nothing.
 */
@Injectable()
export class DmControlsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLogService,
    private readonly conversations: ConversationsService,
    private readonly events: EventsService,
  ) {}

  /** PUT (allowed false) / DELETE (allowed true) /admin/v1/users/:id/dm-access. */
  async setDmAccess(userId: string, staff: StaffActor, allowed: boolean, note: string | null): Promise<DmAccessState> {
    if (!isUuid(userId)) throw new NotFound('No such user.');
    return this.db.tx(async (q) => {
      const r = await setDmAccessRevoked(q, userId, !allowed);
      if (!r) throw new NotFound('No such user.');
      if ((r.before === null) !== (r.after === null)) {
        await this.audit.record(q, {
          staffId: staff.id,
          action: allowed ? 'user.dm_access.restore' : 'user.dm_access.revoke',
          subjectType: 'user',
          subjectId: userId,
          before: { dmAccess: r.before === null },
          after: { dmAccess: r.after === null, note },
        });
      }
      return { userId, dmAccess: r.after === null, revokedAt: r.after };
    });
  }

  /**
   * POST (locked true) / DELETE (locked false) /admin/v1/conversations/:id/lock. With
   * `expectLocked` (the state the console showed) a conversation someone else changed meanwhile
   * is refused (409 lock_state_changed) instead of acted on; without it the call is idempotent.
   */
  async setLocked(
    conversationId: string,
    staff: StaffActor,
    locked: boolean,
    note: string | null,
    expectLocked?: boolean,
  ): Promise<ConversationLockState> {
    const outboxId = await this.db.tx(async (q) => {
      const r = await this.conversations.setLocked(q, conversationId, locked, expectLocked);
      if (r.changed) {
        await this.audit.record(q, {
          staffId: staff.id,
          action: locked ? 'conversation.lock' : 'conversation.unlock',
          subjectType: 'conversation',
          subjectId: conversationId,
          before: { locked: !locked },
          after: { locked, note },
        });
      }
      return r.outboxId;
    });
    this.events.published(outboxId);
    return { conversationId, locked };
  }

  /** GET /admin/v1/users/:id/dm-stats: counts only, no message content; the read is audited as staff reads of a person's history are. */
  async stats(userId: string, staff: StaffActor): Promise<DmStats> {
    if (!isUuid(userId) || !(await userExists(this.db, userId))) throw new NotFound('No such user.');
    const stats = await dmStats(this.db, userId);
    await this.audit.record(this.db, { staffId: staff.id, action: 'user.dm_stats.read', subjectType: 'user', subjectId: userId });
    return stats;
  }
}
