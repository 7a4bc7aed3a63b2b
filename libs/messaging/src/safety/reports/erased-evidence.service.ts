import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Db } from '../../db/db.service';
import { eraseAccountFrom } from '../../views/erased-account';
import { dueEvidence, storeRedacted } from './erased-evidence.repository';

const BATCH = 200;

/**
 * What a report froze as evidence about an account that was then deleted (API.md v1.2): kept
 * for staff while the report or its case is open or a legal hold stands, then as long as
 * unsent text is kept (UNSENT_RETENTION_DAYS after the later of the close and the deletion),
 * then the account is erased from it (eraseAccountFrom: its handle, name and words; the rest of
 * the evidence, about other people, stays). Run by the retention sweep (purge-retained-messages).
 */
@Injectable()
export class ErasedEvidence {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Erases deleted accounts from evidence that may no longer keep them; returns how many reports changed. Idempotent. */
  async purgeExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.tx(async (q) => {
        const due = await dueEvidence(q, this.config.unsentRetentionDays, BATCH);
        for (const row of due) await storeRedacted(q, row.reportId, row.userId, eraseAccountFrom(row.evidence, row.userId).value);
        return due.length;
      });
      total += n;
      if (n < BATCH) return total;
    }
  }
}
