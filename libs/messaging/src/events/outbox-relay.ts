import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Db } from '../db/db.service';
import { batchScanJobs, type OutboxJob } from '../queues';
import { wireEvent, type DeliveredEvent } from './event-types';
import { deleteDrainedOutboxRows, deleteOutboxRows, lockStaleOutboxRows, takeOutboxRows, type OutboxRow } from './events.repository';

export type EventPusher = (events: DeliveredEvent[]) => void | Promise<void>;
export type JobEnqueuer = (jobs: OutboxJob[]) => Promise<void>;

/**
 * Drains the transactional outbox after commit: pushes events to sockets (the gateway
 * registers a pusher) and enqueues jobs (the queues module registers an enqueuer). Ids
 * are drained in micro-batches (one DELETE … RETURNING per tick, not one per send). A row
 * left behind by a crash is drained by sweep(), run on a schedule by the workers; clients
 * dedupe pushes by cursor and jobs carry jobIds, so a second delivery is harmless.
 */
@Injectable()
export class OutboxRelay implements OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private pushers: EventPusher[] = [];
  private enqueuer: JobEnqueuer | null = null;
  private pending: string[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(private readonly db: Db) {}

  registerPusher(pusher: EventPusher) {
    this.pushers.push(pusher);
  }

  registerEnqueuer(enqueuer: JobEnqueuer) {
    this.enqueuer = enqueuer;
  }

  /** Pushes events that carry no outbox row (already committed); a failed push is logged, clients sync. */
  push(events: DeliveredEvent[]): void {
    for (const push of this.pushers) {
      try {
        const r = push(events);
        if (r) r.catch((err) => this.logger.warn(`event push failed (clients will sync): ${(err as Error).message}`));
      } catch (err) {
        this.logger.warn(`event push failed (clients will sync): ${(err as Error).message}`);
      }
    }
  }

  drainSoon(id: string) {
    this.pending.push(id);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** Resolves when every id handed in so far has been drained (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    const ids = this.pending.splice(0, this.pending.length);
    this.flushing = (async () => {
      try {
        // Rows with only events are deleted as they are read; rows with jobs once those are enqueued.
        const rows = await takeOutboxRows(this.db, ids);
        const enqueued = await this.deliver(rows);
        const withJobs = rows.filter((r) => !r.deleted).map((r) => r.id);
        if (withJobs.length && enqueued) {
          await deleteDrainedOutboxRows(this.db, withJobs);
        }
      } catch (err) {
        this.logger.warn(`outbox drain failed (the sweep will retry): ${(err as Error).message}`);
      } finally {
        this.flushing = null;
      }
    })();
    await this.flushing;
    if (this.pending.length) await this.flush();
  }

  /**
   * Drains rows older than `olderThanMs` that no process drained (it crashed, or Redis was
   * down). A row is deleted in the same transaction, after its jobs were enqueued.
   */
  async sweep(olderThanMs = 3000, batch = 200): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.tx(async (q) => {
        const rows = await lockStaleOutboxRows(q, olderThanMs, batch);
        if (rows.length === 0) return 0;
        if (!(await this.deliver(rows))) throw new Error('jobs could not be enqueued');
        await deleteOutboxRows(
          q,
          rows.map((r) => r.id),
        );
        return rows.length;
      });
      if (n === 0) return total;
      total += n;
    }
  }

  /** Pushes the events and enqueues the jobs; false when jobs could not be enqueued. */
  private async deliver(rows: OutboxRow[]): Promise<boolean> {
    const events: DeliveredEvent[] = [];
    const rowJobs: OutboxJob[] = [];
    for (const row of rows) {
      for (const e of row.events)
        events.push({ recipientId: e.userId, event: wireEvent(e.type, e.cursor, e.payload), position: e.position ?? null });
      rowJobs.push(...row.jobs);
    }
    // The sends' scan jobs of this drain go as scan-messages jobs of many messages each.
    const jobs = batchScanJobs(rowJobs);
    if (events.length) {
      for (const push of this.pushers) {
        try {
          await push(events);
        } catch (err) {
          this.logger.warn(`event push failed (clients will sync): ${(err as Error).message}`);
        }
      }
    }
    if (jobs.length === 0) return true;
    if (!this.enqueuer) {
      this.logger.warn(`${jobs.length} job(s) left in the outbox: no queue producer registered in this process`);
      return false;
    }
    try {
      await this.enqueuer(jobs);
      return true;
    } catch (err) {
      this.logger.warn(`enqueue failed (the outbox sweep will retry): ${(err as Error).message}`);
      return false;
    }
  }

  async onApplicationShutdown() {
    await this.flush().catch(() => undefined);
  }
}
