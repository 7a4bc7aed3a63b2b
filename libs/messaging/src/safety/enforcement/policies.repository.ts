import type { Queryable } from '../../db/db.service';
import { iso } from '../../db/row-values';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../../db/staff-list';
import type { StatementCategory } from './dsa-vocabulary';

/**
 * The policies' SQL (STYLE.md §9, §12): the rules of the service that every decision names,
 * with their DSA category and severity levels. Functions take a Queryable, so they run on the
 * pool or inside `db.tx`; what a valid policy is and which one a decision takes are
 * PoliciesService's rules (policies.ts).
 */

/** One severity level of a policy: how many strikes it gives, for how long, and what the ladder suggests. */
export interface Severity {
  key: string;
  strikes: number;
  expiryDays: number;
  suggestedAction: string;
}

export interface PolicyRow {
  id: string;
  key: string;
  title: string;
  description: string;
  category: StatementCategory;
  /** Mildest first: a decision that names no severity takes the first. */
  severities: Severity[];
  createdAt: string;
  updatedAt: string;
  updatedBy: string | null;
}

interface PolicyRecord {
  id: string;
  key: string;
  title: string;
  description: string;
  category: string;
  severities: Severity[];
  created_at: Date | string;
  updated_at: Date | string;
  updated_by: string | null;
}

const toPolicy = (r: PolicyRecord): PolicyRow => ({
  id: r.id,
  key: r.key,
  title: r.title,
  description: r.description,
  category: r.category as StatementCategory,
  severities: r.severities.map((s) => ({ key: s.key, strikes: s.strikes, expiryDays: s.expiryDays, suggestedAction: s.suggestedAction })),
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
  updatedBy: r.updated_by ?? null,
});

const LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'p.id' },
    key: { kind: 'text', sql: 'p.key' },
    category: { kind: 'text', sql: 'p.category' },
    q: { kind: 'search', columns: ['p.key', 'p.title', 'p.description'] },
  },
  sorts: { key: 'p.key', title: 'p.title', category: 'p.category', createdAt: 'p.created_at', updatedAt: 'p.updated_at', id: 'p.id' },
  tiebreak: 'p.id ASC',
};

export function list(q: Queryable, query: ListQuery): Promise<ListPage<PolicyRow>> {
  return runList(
    q,
    LIST,
    query,
    (c) => ({
      sql: `SELECT p.*, count(*) OVER () AS _total FROM policy p ${c.where} ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n FROM policy p ${c.where}`,
    }),
    toPolicy,
  );
}

export async function byId(q: Queryable, id: string): Promise<PolicyRow | undefined> {
  const [row] = await q.query<PolicyRecord>('SELECT * FROM policy WHERE id = $1', [id]);
  return row && toPolicy(row);
}

/**
 * The policy with this key (undefined when there is none); `share` keeps its row share-locked
 * for the transaction, so a delete waits until a write naming it has committed.
 */
export async function findByKey(q: Queryable, key: string, opts: { share?: boolean } = {}): Promise<PolicyRow | undefined> {
  const [row] = await q.query<PolicyRecord>(`SELECT * FROM policy WHERE key = $1${opts.share ? ' FOR SHARE' : ''}`, [key]);
  return row && toPolicy(row);
}

/** The policy, locked for the rest of the transaction (an update or delete reads it first). */
export async function lockById(q: Queryable, id: string): Promise<PolicyRow | undefined> {
  const [row] = await q.query<PolicyRecord>('SELECT * FROM policy WHERE id = $1 FOR UPDATE', [id]);
  return row && toPolicy(row);
}

export interface PolicyFields {
  key: string;
  title: string;
  description: string;
  category: StatementCategory;
  severities: Severity[];
}

/** A new policy; undefined when its key is taken (no error mid-transaction, so the caller answers 409). */
export async function insert(q: Queryable, id: string, p: PolicyFields, updatedBy: string | null): Promise<PolicyRow | undefined> {
  const [row] = await q.query<PolicyRecord>(
    `INSERT INTO policy (id, key, title, description, category, severities, updated_by) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
       ON CONFLICT (key) DO NOTHING RETURNING *`,
    [id, p.key, p.title, p.description, p.category, JSON.stringify(p.severities), updatedBy],
  );
  return row && toPolicy(row);
}

export async function update(q: Queryable, id: string, p: Omit<PolicyFields, 'key'>, updatedBy: string | null): Promise<PolicyRow> {
  const [row] = await q.query<PolicyRecord>(
    `UPDATE policy SET title = $2, description = $3, category = $4, severities = $5::jsonb, updated_by = $6, updated_at = now()
      WHERE id = $1 RETURNING *`,
    [id, p.title, p.description, p.category, JSON.stringify(p.severities), updatedBy],
  );
  return toPolicy(row);
}

/** The deleted policy, or undefined when there was none. */
export async function remove(q: Queryable, id: string): Promise<PolicyRow | undefined> {
  const [row] = await q.query<PolicyRecord>('DELETE FROM policy WHERE id = $1 RETURNING *', [id]);
  return row && toPolicy(row);
}

/** How many rules name the policy (a policy in use by a rule cannot be deleted). */
export async function rulesNaming(q: Queryable, key: string): Promise<number> {
  const [r] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM moderation_rule WHERE policy = $1', [key]);
  return r?.n ?? 0;
}
