import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { APP_CONFIG, type AppConfig } from '../config';
import type { PreparingQueryable, Queryable } from './queryable';
import { ReplicaReads, replicaPool } from './replica-reads';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PoolClient, QueryResultRow } from 'pg';

export type { PreparingQueryable, Queryable } from './queryable';

/** What Db.tx hands its callback: a Queryable on the transaction's connection, plus commit hooks. */
export interface TxQueryable extends PreparingQueryable {
  client: PoolClient;
  /** Runs on this transaction just before COMMIT, in registration order (an error rolls back). */
  beforeCommit(fn: () => Promise<void>): void;
  /** Runs after COMMIT succeeded; an error there is ignored (the transaction stands), so log it in the hook. */
  afterCommit(fn: () => Promise<void> | void): void;
}

/** The part of knex's client that lends out its pg connections. */
interface KnexPool {
  acquireConnection(): Promise<PoolClient>;
  releaseConnection(c: PoolClient): Promise<void>;
}

export const isTx = (q: Queryable): q is TxQueryable => typeof (q as TxQueryable).beforeCommit === 'function';

/**
 * Raw SQL on MikroORM's own connection pool (the pg client under its knex). Hot paths
 * (send, sync, lists) are one or two statements with `$n` parameters here instead of an
 * ORM unit of work, because every extra round trip costs throughput (see docs/BENCHMARKS.md).
 */
@Injectable()
export class Db implements PreparingQueryable, OnApplicationShutdown {
  /**
   * Lag-tolerant reads (staff lists, dashboard, history pages): the replica at
   * DATABASE_REPLICA_URL when it has replayed every write committed before the read, else
   * this primary (see ReplicaReads). Anything that must see a write of the same request, or
   * that locks or writes, uses the Db itself.
   */
  readonly replica: ReplicaReads;

  constructor(
    private readonly orm: MikroORM,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig,
  ) {
    this.replica = new ReplicaReads(this, replicaPool(config?.databaseReplicaUrl ?? null));
  }

  async onApplicationShutdown() {
    await this.replica.close();
  }

  get em(): EntityManager {
    return this.orm.em as EntityManager;
  }

  private get knexClient(): KnexPool {
    return (this.orm.em as EntityManager).getConnection().getKnex().client as unknown as KnexPool;
  }

  async withClient<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.knexClient.acquireConnection();
    try {
      return await fn(client);
    } finally {
      await this.knexClient.releaseConnection(client);
    }
  }

  async query<R extends QueryResultRow = any>(sql: string, params: unknown[] = []): Promise<R[]> {
    return this.withClient(async (c) => (await c.query<R>(sql, params)).rows);
  }

  async one<R extends QueryResultRow = any>(sql: string, params: unknown[] = []): Promise<R | undefined> {
    return (await this.query<R>(sql, params))[0];
  }

  /**
   * A named (server-side prepared) statement: planned once per connection, not per call.
   * For the hot path's large CTE statements planning costs more than executing
   * (docs/BENCHMARKS.md: the send as a prepared statement runs at ~2.4× the unprepared rate).
   */
  async prepared<R extends QueryResultRow = any>(name: string, sql: string, params: unknown[] = []): Promise<R[]> {
    return this.withClient(async (c) => (await c.query<R>({ name, text: sql, values: params })).rows);
  }

  /**
   * Runs fn in one transaction, retried as a whole on a serialization failure or deadlock
   * (withDeadlockRetry: `retries` more attempts after the first).
   */
  async tx<T>(fn: (q: TxQueryable) => Promise<T>, retries = 3): Promise<T> {
    return withDeadlockRetry(
      () =>
        this.withClient(async (client) => {
          await client.query('BEGIN');
          try {
            const before: Array<() => Promise<void>> = [];
            const after: Array<() => Promise<void> | void> = [];
            const q: TxQueryable = {
              client,
              query: async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows,
              prepared: async (name: string, sql: string, params: unknown[] = []) =>
                (await client.query({ name, text: sql, values: params })).rows,
              beforeCommit: (hook) => void before.push(hook),
              afterCommit: (hook) => void after.push(hook),
            };
            const result = await fn(q);
            for (const hook of before) await hook();
            await client.query('COMMIT');
            for (const hook of after)
              await Promise.resolve()
                .then(hook)
                .catch(() => undefined); // committed: never undo the answer
            return result;
          } catch (err) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        }),
      retries + 1,
    );
  }
}

/** Serialization failure and deadlock: the database telling two writers to take turns. */
const PG_SERIALIZATION_FAILURE = '40001';
const PG_DEADLOCK_DETECTED = '40P01';

/**
 * Runs fn, again (up to `attempts` in all) when PostgreSQL aborted it as a serialization
 * failure or deadlock victim. fn must be one whole unit of work: a transaction (Db.tx) or a
 * single autocommit statement (the send, the scan settle), never a statement inside a
 * transaction, which a deadlock has already rolled back.
 */
export async function withDeadlockRetry<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      if (i >= attempts || (code !== PG_SERIALIZATION_FAILURE && code !== PG_DEADLOCK_DETECTED)) throw err;
    }
  }
}

/** PostgreSQL error codes we turn into domain outcomes. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
