import type { Queryable } from '../../db/db.service';
import { iso } from '../../db/row-values';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../../db/staff-list';
import { templateVariables } from './statements';

/**
 * The notice templates' SQL (STYLE.md §9, §12). Functions take a Queryable, so they run on
 * the pool or inside `db.tx`, and hand back typed camelCase rows; who may write a template
 * and which variables a body may use are TemplatesService's rules.
 */

/** A notice text with {{variables}}, chosen when resolving (templateId). */
export interface TemplateRow {
  id: string;
  name: string;
  body: string;
  /** The statement of reasons' facts it words; null: the standard wording. */
  facts: string | null;
  variables: string[];
  /** Shipped with the install. */
  builtIn: boolean;
  createdAt: string;
  updatedAt: string;
  updatedBy: string | null;
}

interface TemplateRecord {
  id: string;
  name: string;
  body: string;
  facts: string | null;
  built_in: boolean;
  created_at: Date | string;
  updated_at: Date | string;
  updated_by: string | null;
}

const toTemplate = (r: TemplateRecord): TemplateRow => ({
  id: r.id,
  name: r.name,
  body: r.body,
  facts: r.facts ?? null,
  variables: [...new Set([...templateVariables(r.body), ...templateVariables(r.facts ?? '')])],
  builtIn: r.built_in === true,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
  updatedBy: r.updated_by ?? null,
});

const LIST: ListSpec = {
  filters: { id: { kind: 'uuid', sql: 't.id' }, q: { kind: 'search', columns: ['t.name', 't.body'] } },
  sorts: { name: 't.name', createdAt: 't.created_at', updatedAt: 't.updated_at', id: 't.id' },
  tiebreak: 't.id ASC',
};

export function list(q: Queryable, query: ListQuery): Promise<ListPage<TemplateRow>> {
  return runList(
    q,
    LIST,
    query,
    (c) => ({
      sql: `SELECT t.*, count(*) OVER () AS _total FROM notice_template t ${c.where} ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n FROM notice_template t ${c.where}`,
    }),
    toTemplate,
  );
}

export async function byId(q: Queryable, id: string): Promise<TemplateRow | undefined> {
  const [row] = await q.query<TemplateRecord>('SELECT * FROM notice_template WHERE id = $1', [id]);
  return row && toTemplate(row);
}

/** The template, locked for the rest of the transaction (an update reads it first). */
export async function lockById(q: Queryable, id: string): Promise<TemplateRow | undefined> {
  const [row] = await q.query<TemplateRecord>('SELECT * FROM notice_template WHERE id = $1 FOR UPDATE', [id]);
  return row && toTemplate(row);
}

export async function insert(
  q: Queryable,
  t: { id: string; name: string; body: string; facts: string | null; updatedBy: string },
): Promise<TemplateRow> {
  const [row] = await q.query<TemplateRecord>(
    'INSERT INTO notice_template (id, name, body, facts, updated_by) VALUES ($1, $2, $3, $4, $5) RETURNING *',
    [t.id, t.name, t.body, t.facts, t.updatedBy],
  );
  return toTemplate(row);
}

export async function update(
  q: Queryable,
  id: string,
  t: { name: string; body: string; facts: string | null; updatedBy: string },
): Promise<TemplateRow> {
  const [row] = await q.query<TemplateRecord>(
    'UPDATE notice_template SET name = $2, body = $3, facts = $4, updated_by = $5, updated_at = now() WHERE id = $1 RETURNING *',
    [id, t.name, t.body, t.facts, t.updatedBy],
  );
  return toTemplate(row);
}

/** The deleted template, or undefined when there was none. */
export async function remove(q: Queryable, id: string): Promise<TemplateRow | undefined> {
  const [row] = await q.query<TemplateRecord>('DELETE FROM notice_template WHERE id = $1 RETURNING *', [id]);
  return row && toTemplate(row);
}
