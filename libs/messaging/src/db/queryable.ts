import type { QueryResultRow } from 'pg';

/** Anything that runs SQL: the Db (pool), db.replica, a transaction's q. Repositories take one. */
export interface Queryable {
  query<R extends QueryResultRow = any>(sql: string, params?: unknown[]): Promise<R[]>;
}

/** A Queryable that also runs named (server-side prepared) statements: the Db, db.replica and a transaction's q. */
export interface PreparingQueryable extends Queryable {
  prepared<R extends QueryResultRow = any>(name: string, sql: string, params?: unknown[]): Promise<R[]>;
}
