import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Db } from '../db/db.service';
import type { OutboxJob } from '../queues';
import type { DeliveredEvent } from './event-types';

export type EventPusher = (events: DeliveredEvent[]) => void | Promise<void>;
export type JobEnqueuer = (jobs: OutboxJob[]) => Promise<void>;

interface OutboxRow {
  id: string;
  events: Array<{ userId: string; cursor: string; type: string; payload: Record<string, unknown> }>;
  jobs: OutboxJob[];
}

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
        const rows = await this.db.prepared<OutboxRow>(
          'outbox_drain',
          'DELETE FROM outbox WHERE id = ANY($1::bigint[]) RETURNING id, events, jobs',
          [ids],
        );
        await this.deliver(rows);
      } catch (err) {
        this.logger.warn(`outbox drain failed (the sweep will retry): ${(err as Error).message}`);
      } finally {
        this.flushing = null;
      }
    })();
    await this.flushing;
    if (this.pending.length) await this.flush();
  }

  /** Drains rows older than `olderThanMs` that no process drained (it crashed, or Redis was down). */
  async sweep(olderThanMs = 3000, batch = 200): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.db.query<OutboxRow>(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox WHERE created_at < now() - make_interval(secs => $1)
            ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING id, events, jobs`,
        [olderThanMs / 1000, batch],
      );
      if (rows.length === 0) return total;
      total += rows.length;
      await this.deliver(rows.sort((a, b) => Number(a.id) - Number(b.id)));
    }
  }

  private async deliver(rows: OutboxRow[]) {
    const events: DeliveredEvent[] = [];
    const jobs: OutboxJob[] = [];
    for (const row of rows) {
      for (const e of row.events) events.push({ userId: e.userId, type: e.type as any, cursor: e.cursor, ...e.payload });
      jobs.push(...row.jobs);
    }
    if (events.length) {
      for (const push of this.pushers) {
        try {
          await push(events);
        } catch (err) {
          this.logger.warn(`event push failed (clients will sync): ${(err as Error).message}`);
        }
      }
    }
    if (jobs.length) {
      if (!this.enqueuer) {
        this.logger.warn(`${jobs.length} job(s) drained with no queue producer registered`);
      } else {
        await this.enqueuer(jobs).catch((err) => this.logger.warn(`enqueue failed (sweeps will retry): ${err.message}`));
      }
    }
  }

  async onApplicationShutdown() {
    await this.flush().catch(() => undefined);
  }
}
