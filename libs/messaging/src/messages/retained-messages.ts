import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { Db } from '../db/db.service';

/**
 * The staff-only copies of unsent and removed messages (`message_retained`, written by
 * MessagesService.removeIn). They exist so a report can still freeze the text; after
 * UNSENT_RETENTION_DAYS they are deleted, with the earlier versions of such a message if it
 * was edited (`message_version`). Evidence already frozen into a report is a copy
 * of its own and stays.
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
      `WITH del AS (DELETE FROM message_retained WHERE retained_at < now() - make_interval(days => $1) RETURNING message_id),
       -- the earlier versions of an edited message that was then removed go with its copy (v1.1 edits)
       vers AS (DELETE FROM message_version v USING del WHERE v.message_id = del.message_id RETURNING 1)
       SELECT count(*)::int AS n FROM del`,
      [this.config.unsentRetentionDays],
    );
    return rows[0]?.n ?? 0;
  }
}
