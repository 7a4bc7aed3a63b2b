import { restrictedSql } from '../../policy/standing';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Db } from '../../db/db.service';
import { NotFound } from '../../errors';
import { isUuid } from '../../ids';
import { AuditLogService } from '../audit/audit-log.service';
import type { StaffActor } from './reports.service';
import { iso } from '../rows';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../staff/staff-list';

export interface SpamRequestRow {
  /** The sender's id: one row per sender. */
  id: string;
  senderId: string;
  senderHandle: string;
  requestsSent: number;
  declined: number;
  reported: number;
  duplicateTexts: number;
  score: number;
  sample: string[];
  lastAt: string | null;
  senderStatus: string;
  restrictedUntil: string | null;
}

const COLUMNS = `s.sender_id, u.handle, s.requests_sent, s.declined, s.reported, s.duplicate_texts, s.score, s.sample, s.last_at,
  u.status, CASE WHEN ${restrictedSql('u')} THEN u.restricted_until END AS restricted_until`;

const toRow = (r: any): SpamRequestRow => ({
  id: r.sender_id,
  senderId: r.sender_id,
  senderHandle: r.handle,
  requestsSent: r.requests_sent,
  declined: r.declined,
  reported: r.reported,
  duplicateTexts: r.duplicate_texts,
  score: Number(r.score),
  sample: Array.isArray(r.sample) ? r.sample : [],
  lastAt: iso(r.last_at),
  senderStatus: r.status,
  restrictedUntil: iso(r.restricted_until),
});

const LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 's.sender_id' },
    senderId: { kind: 'uuid', sql: 's.sender_id' },
    q: { kind: 'search', columns: ['u.handle'] },
  },
  sorts: {
    score: 's.score',
    requestsSent: 's.requests_sent',
    declined: 's.declined',
    reported: 's.reported',
    lastAt: 's.last_at',
    senderHandle: 'u.handle',
    id: 's.sender_id',
    senderId: 's.sender_id',
  },
  tiebreak: 's.sender_id ASC',
};

/**
 * Senders whose message requests look like spam: `sender_stats` (kept by the spam scorer)
 * at or above SPAM_SCORE_THRESHOLD. Rows carry sample texts, so reading the queue is a
 * staff read of message content and is audited.
 */
@Injectable()
export class SpamQueueService {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditLogService,
  ) {}

  async list(query: ListQuery, staff: StaffActor): Promise<ListPage<SpamRequestRow>> {
    const page = await runList(
      this.db.replica,
      LIST,
      query,
      (c) => {
        const threshold = `s.score >= ${Number(this.config.spamScoreThreshold)}`;
        const where = c.where ? `${c.where} AND ${threshold}` : `WHERE ${threshold}`;
        return {
          sql: `SELECT ${COLUMNS}, count(*) OVER () AS _total FROM sender_stats s JOIN app_user u ON u.id = s.sender_id ${where} ${c.orderBy}`,
          countSql: `SELECT count(*)::int AS n FROM sender_stats s JOIN app_user u ON u.id = s.sender_id ${where}`,
        };
      },
      toRow,
    );
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
    const row = await this.db.one(
      `SELECT ${COLUMNS} FROM sender_stats s JOIN app_user u ON u.id = s.sender_id WHERE s.sender_id = $1 AND s.score >= $2`,
      [senderId, this.config.spamScoreThreshold],
    );
    if (!row) throw new NotFound('No such sender in the spam queue.');
    await this.audit.record(this.db, { staffId: staff.id, action: 'spam_requests.read', subjectType: 'user', subjectId: senderId });
    return toRow(row);
  }
}
