import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { Db } from '../db/db.service';
import { underLegalHoldSql } from '../accounts/legal-holds.repository';

/**
 * The staff-only copies of unsent and removed messages (`message_retained`, written by
 * MessagesService.removeIn). They exist so a report can still freeze the text; after
 * UNSENT_RETENTION_DAYS they are deleted, with the earlier versions of such a message if it
 * was edited (`message_version`); a deleted account's, as soon as no legal hold keeps them.
 * Evidence already frozen into a report is a copy of its own (see safety/reports/erased-evidence.service.ts).
 */
@Injectable()
export class RetainedMessages {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Deletes copies older than the retention period; returns how many. Idempotent. */
  async purgeExpired(): Promise<number> {
    const rows = await this.db.query(
      `WITH del AS (DELETE FROM message_retained r WHERE r.retained_at < now() - make_interval(days => $1)
                      -- a deleted account's copies go at once unless a legal hold keeps them (API.md v1.2)
                      OR EXISTS (SELECT 1 FROM message m JOIN app_user u ON u.id = m.sender_id
                                  WHERE m.id = r.message_id AND m.conversation_id = r.conversation_id
                                    AND u.deleted_at IS NOT NULL AND NOT ${underLegalHoldSql('u.id')})
                    RETURNING message_id),
       -- the earlier versions of an edited message that was then removed go with its copy (v1.1 edits)
       vers AS (DELETE FROM message_version v USING del WHERE v.message_id = del.message_id RETURNING 1)
       SELECT count(*)::int AS n FROM del`,
      [this.config.unsentRetentionDays],
    );
    return rows[0]?.n ?? 0;
  }
}
