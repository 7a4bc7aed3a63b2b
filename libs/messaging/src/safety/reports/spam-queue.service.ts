import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Db } from '../../db/db.service';
import { NotFound } from '../../errors';
import { isUuid } from '../../ids';
import { AuditLogService } from '../../audit/audit-log.service';
import type { StaffActor } from './reports.service';
import { spamQueueEntry, spamQueuePage, type SpamRequestRow } from './spam-queue.repository';
import type { ListPage, ListQuery } from '../../db/staff-list';
import { ConversationsService } from '../../conversations/conversations.service';

/**
 * Senders whose message requests look like spam: `sender_stats` (kept by the spam scorer)
 * at or above SPAM_SCORE_THRESHOLD, and senders whose requests a fan-out burst holds for
 * review (v1.2), which staff release to their recipients or decline. Rows carry sample texts, so reading the queue is a
 * staff read of message content and is audited.
 */
@Injectable()
export class SpamQueueService {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditLogService,
    private readonly conversations: ConversationsService,
  ) {}

  async list(query: ListQuery, staff: StaffActor): Promise<ListPage<SpamRequestRow>> {
    const page = await spamQueuePage(this.db.replica, query, this.config.spamScoreThreshold);
    if (page.rows.length) {
      await this.audit.record(this.db, {
        staffId: staff.id,
        action: 'spam_requests.read',
        subjectType: 'user',
        subjectId: null,
        after: { senderIds: page.rows.map((r) => r.id) },
      });
    }
    return page;
  }

  async one(senderId: string, staff: StaffActor): Promise<SpamRequestRow> {
    if (!isUuid(senderId)) throw new NotFound('No such sender in the spam queue.');
    const row = await spamQueueEntry(this.db, senderId, this.config.spamScoreThreshold);
    if (!row) throw new NotFound('No such sender in the spam queue.');
    await this.audit.record(this.db, { staffId: staff.id, action: 'spam_requests.read', subjectType: 'user', subjectId: senderId });
    return row;
  }

  /**
   * Settles the requests a fan-out burst held: `release` delivers each as an ordinary request
   * (request.created to its recipient), otherwise each is declined and never seen. Audited;
   * 404 when the sender has none held.
   */
  async settleHeld(senderId: string, staff: StaffActor, release: boolean, note: string | null): Promise<{ requests: number }> {
    if (!isUuid(senderId)) throw new NotFound('No such sender in the spam queue.');
    const requests = await this.conversations.settleHeldRequests(senderId, release);
    if (requests === 0) throw new NotFound('This sender has no requests held for review.');
    await this.audit.record(this.db, {
      staffId: staff.id,
      action: release ? 'spam_requests.release' : 'spam_requests.decline',
      subjectType: 'user',
      subjectId: senderId,
      after: { requests, note },
    });
    return { requests };
  }
}
