import { Logger } from '@nestjs/common';
import { Pool, type QueryResultRow } from 'pg';
import type { PreparingQueryable } from './queryable';

/** How long a read waits for the replica to catch up before it goes to the primary instead. */
const CATCH_UP_TRIES = 4;
const CATCH_UP_EVERY_MS = 5;
/** After the replica was behind (or down), reads go straight to the primary this long. */
const BEHIND_BACKOFF_MS = 1000;

/**
 * Lag-tolerant reads (staff lists, the dashboard, history pages) on the streaming replica at
 * DATABASE_REPLICA_URL, without ever losing read-your-writes: before reading, the primary's
 * current WAL position is taken (one tiny query) and the replica must have replayed up to it,
 * so every write committed before this read began (the caller's own included) is visible
 * there. A replica that is behind for more than ~20 ms (paused replay, a long lag) or down
 * sends the read to the primary, and the next second of reads too. Without a replica
 * everything runs on the primary as before.
 */
export class ReplicaReads implements PreparingQueryable {
  private readonly logger = new Logger(ReplicaReads.name);
  private behindUntil = 0;
  /** Reads served by the replica and by the primary in its stead, for tests and metrics. */
  readonly served = { replica: 0, primary: 0 };

  constructor(
    private readonly primary: PreparingQueryable,
    private readonly pool: Pool | null,
  ) {}

  query<R extends QueryResultRow = any>(sql: string, params: unknown[] = []): Promise<R[]> {
    return this.read(
      (c) => c.query<R>(sql, params),
      () => this.primary.query<R>(sql, params),
    );
  }

  prepared<R extends QueryResultRow = any>(name: string, sql: string, params: unknown[] = []): Promise<R[]> {
    return this.read(
      (c) => c.query<R>({ name, text: sql, values: params }),
      () => this.primary.prepared<R>(name, sql, params),
    );
  }

  private async read<R extends QueryResultRow>(
    onReplica: (c: import('pg').PoolClient) => Promise<{ rows: R[] }>,
    onPrimary: () => Promise<R[]>,
  ): Promise<R[]> {
    if (this.pool && Date.now() >= this.behindUntil) {
      let client: import('pg').PoolClient | undefined;
      try {
        const [{ lsn }] = await this.primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
        client = await this.pool.connect();
        for (let i = 0; i < CATCH_UP_TRIES; i++) {
          // NULL when the server is not in recovery (not a replica): never trusted.
          const { rows } = await client.query<{ ok: boolean | null }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]);
          if (rows[0]?.ok === true) {
            const res = await onReplica(client);
            this.served.replica++;
            return res.rows;
          }
          await new Promise((r) => setTimeout(r, CATCH_UP_EVERY_MS));
        }
        this.behindUntil = Date.now() + BEHIND_BACKOFF_MS;
      } catch (err) {
        // Replica down, or a query cancelled by a recovery conflict: the primary answers.
        this.behindUntil = Date.now() + BEHIND_BACKOFF_MS;
        this.logger.warn(`replica read failed, using the primary: ${(err as Error).message}`);
      } finally {
        client?.release();
      }
    }
    this.served.primary++;
    return onPrimary();
  }

  async close(): Promise<void> {
    await this.pool?.end().catch(() => undefined);
  }
}

export function replicaPool(url: string | null): Pool | null {
  if (!url) return null;
  const pool = new Pool({ connectionString: url, max: 10, idleTimeoutMillis: 30_000, options: '-c jit=off' });
  pool.on('error', () => undefined); // an idle client whose server went away: dropped by the pool
  return pool;
}
