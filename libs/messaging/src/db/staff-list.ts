import { InvalidRequest } from '../errors';
import { isUuid } from '../ids';

/** A react-admin list request, already parsed from `sort`, `range` and `filter`. */
export interface ListQuery {
  sortField: string;
  sortOrder: 'ASC' | 'DESC';
  offset: number;
  limit: number;
  filter: Record<string, unknown>;
}

export interface ListPage<T> {
  rows: T[];
  total: number;
  offset: number;
}

type FilterSpec =
  | { kind: 'uuid'; sql: string }
  | { kind: 'text'; sql: string }
  | { kind: 'enum'; sql: string; values: readonly string[] }
  | { kind: 'bool'; sql: string }
  /** Case-insensitive substring over one or more columns. */
  | { kind: 'search'; columns: string[] };

export interface ListSpec {
  filters: Record<string, FilterSpec>;
  /** API field → SQL expression. */
  sorts: Record<string, string>;
  /** Appended to every ORDER BY so pages are stable. */
  tiebreak: string;
}

export interface ListClauses {
  where: string;
  orderBy: string;
  args: unknown[];
  limit: number;
  offset: number;
  /** A filter no row can satisfy (e.g. a malformed id): answer empty without asking PostgreSQL. */
  empty: boolean;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function bool(name: string, v: unknown): boolean {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new InvalidRequest(`filter ${name} must be true or false.`, [{ field: `filter.${name}`, problems: ['boolean'] }]);
}

/**
 * Turns react-admin filters and sort into SQL fragments with `$n` parameters, starting after
 * `args` (which the caller may have filled already). Unknown filter names are a 400 naming
 * the ones that exist: a typo must not silently return everything. A list value (react-admin
 * getMany sends `{"id": [...]}`) matches any of its items; null matches NULL.
 */
export function listClauses(spec: ListSpec, query: ListQuery, args: unknown[] = []): ListClauses {
  const conds: string[] = [];
  let empty = false;
  let limit = query.limit;
  const param = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  for (const [name, raw] of Object.entries(query.filter)) {
    // Own properties only: `constructor`, `__proto__`, `toString` are inherited, not filters.
    const f = Object.hasOwn(spec.filters, name) ? spec.filters[name] : undefined;
    if (!f) {
      throw new InvalidRequest(`Unknown filter "${name}"; filters here: ${Object.keys(spec.filters).join(', ')}.`, [
        { field: `filter.${name}`, problems: ['unknown filter'] },
      ]);
    }
    if (raw === undefined || (raw === '' && f.kind !== 'text')) continue;
    if (f.kind === 'search') {
      if (typeof raw !== 'string' || raw.length > 200) {
        throw new InvalidRequest(`filter ${name} must be a string of at most 200 characters.`, [
          { field: `filter.${name}`, problems: ['string'] },
        ]);
      }
      const p = param(`%${escapeLike(raw.trim())}%`);
      conds.push(`(${f.columns.map((c) => `${c} ILIKE ${p}`).join(' OR ')})`);
      continue;
    }
    if (raw === null) {
      conds.push(`${f.sql} IS NULL`);
      continue;
    }
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length > 1000)
      throw new InvalidRequest(`filter ${name} lists too many values (at most 1000).`, [
        { field: `filter.${name}`, problems: ['at most 1000 values'] },
      ]);
    if (
      values.some((v) => v === null || (typeof v !== 'string' && typeof v !== 'boolean' && typeof v !== 'number') || String(v).length > 500)
    ) {
      throw new InvalidRequest(`filter ${name} must be a value or a list of values.`, [{ field: `filter.${name}`, problems: ['scalar'] }]);
    }
    if (Array.isArray(raw) && name === 'id') limit = Math.max(limit, values.length);
    if (f.kind === 'bool') {
      const bs = [...new Set(values.map((v) => bool(name, v)))];
      if (bs.length === 1) conds.push(bs[0] ? `(${f.sql})` : `NOT (${f.sql})`);
      continue;
    }
    const strings = values.map(String);
    if (f.kind === 'enum') {
      const bad = strings.find((v) => !f.values.includes(v));
      if (bad !== undefined) {
        throw new InvalidRequest(`filter ${name} must be one of: ${f.values.join(', ')}.`, [
          { field: `filter.${name}`, problems: [`unknown value ${bad}`] },
        ]);
      }
    }
    let usable = strings;
    if (f.kind === 'uuid') usable = strings.filter(isUuid);
    if (usable.length === 0) {
      empty = true;
      continue;
    }
    const cast = f.kind === 'uuid' ? 'uuid[]' : 'text[]';
    conds.push(
      usable.length === 1
        ? `${f.sql} = ${param(usable[0])}${f.kind === 'uuid' ? '::uuid' : ''}`
        : `${f.sql} = ANY(${param(usable)}::${cast})`,
    );
  }
  const sortSql = Object.hasOwn(spec.sorts, query.sortField) ? spec.sorts[query.sortField] : undefined;
  if (!sortSql)
    throw new InvalidRequest(`sort field must be one of: ${Object.keys(spec.sorts).join(', ')}.`, [
      { field: 'sort', problems: ['unknown field'] },
    ]);
  if (!Number.isSafeInteger(query.offset) || query.offset < 0 || !Number.isSafeInteger(limit) || limit < 1) {
    throw new InvalidRequest('range must be whole numbers with 0 <= start <= end.', [{ field: 'range', problems: ['invalid range'] }]);
  }
  const dir = query.sortOrder === 'ASC' ? 'ASC NULLS FIRST' : 'DESC NULLS LAST';
  return {
    where: conds.length ? `WHERE ${conds.join(' AND ')}` : '',
    orderBy: `ORDER BY ${sortSql} ${dir}, ${spec.tiebreak}`,
    args,
    limit,
    offset: query.offset,
    empty,
  };
}

/** Sort fields a spec allows, for parseRaList's validation. */
export const sortFields = (spec: ListSpec) => Object.keys(spec.sorts);

/**
 * Runs `select` (which must select `count(*) OVER () AS _total` among its columns) with the
 * clauses; one round trip for the page and its total. An empty page past the end still
 * needs the total, hence the fallback count.
 */
export async function runList<T>(
  q: { query: (sql: string, params?: unknown[]) => Promise<any[]> },
  spec: ListSpec,
  query: ListQuery,
  build: (c: ListClauses) => { sql: string; countSql: string },
  map: (row: any) => T,
): Promise<ListPage<T>> {
  const c = listClauses(spec, query);
  if (c.empty) return { rows: [], total: 0, offset: c.offset };
  const { sql, countSql } = build(c);
  const rows = await q.query(`${sql} LIMIT ${c.limit} OFFSET ${c.offset}`, c.args);
  let total = rows.length ? Number(rows[0]._total) : 0;
  if (rows.length === 0 && c.offset > 0) total = Number((await q.query(countSql, c.args))[0]?.n ?? 0);
  return { rows: rows.map(map), total, offset: c.offset };
}
