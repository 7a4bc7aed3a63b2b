import { InvalidRequest } from '@app/messaging/errors';

/** `?limit=` per the contract: 1..100, default 50; anything else is 400, never 500. */
export function parseLimit(raw: unknown, def = 50): number {
  if (raw === undefined || raw === '') return def;
  if (typeof raw !== 'string' || !/^\d{1,3}$/.test(raw))
    throw new InvalidRequest('limit must be a whole number from 1 to 100.', [{ field: 'limit', problems: ['1..100'] }]);
  const n = Number(raw);
  if (n < 1 || n > 100) throw new InvalidRequest('limit must be a whole number from 1 to 100.', [{ field: 'limit', problems: ['1..100'] }]);
  return n;
}

/** A non-negative integer query value (seq, cursor) or undefined; anything else is 400. */
export function parseSeq(raw: unknown, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) {
    throw new InvalidRequest(`${name} must be a non-negative whole number.`, [{ field: name, problems: ['non-negative integer'] }]);
  }
  return Number(raw);
}

export function optionalString(raw: unknown, name: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > 500)
    throw new InvalidRequest(`${name} must be a string.`, [{ field: name, problems: ['string'] }]);
  return raw;
}

/** react-admin simple REST: sort=["field","ASC"], range=[0,24], filter={...}. */
export interface RaListParams {
  sortField: string;
  sortOrder: 'ASC' | 'DESC';
  offset: number;
  limit: number;
  filter: Record<string, unknown>;
}

function parseJson(raw: unknown, name: string): unknown {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > 20_000)
    throw new InvalidRequest(`${name} must be JSON.`, [{ field: name, problems: ['JSON text'] }]);
  try {
    return JSON.parse(raw);
  } catch {
    throw new InvalidRequest(`${name} must be JSON.`, [{ field: name, problems: ['invalid JSON'] }]);
  }
}

/** The deepest row a staff list pages to; beyond it, narrow the filter instead. */
export const MAX_LIST_OFFSET = 1_000_000;
/** Most rows one staff list page answers. */
export const MAX_LIST_PAGE = 500;

const bad = (message: string, field: string, problem: string) => new InvalidRequest(message, [{ field, problems: [problem] }]);

/**
 * Every malformed sort, range or filter is a 400 naming the parameter: field names are
 * looked up as own properties only (`constructor`, `__proto__` are not fields), a range is
 * two whole numbers within 0..MAX_LIST_OFFSET, start <= end; a page holds at most
 * MAX_LIST_PAGE rows.
 */
export function parseRaList(query: Record<string, unknown>, sortable: string[], defSort: [string, 'ASC' | 'DESC']): RaListParams {
  const sort = parseJson(query.sort, 'sort') ?? defSort;
  const range = parseJson(query.range, 'range') ?? [0, 24];
  const filter = parseJson(query.filter, 'filter') ?? {};
  if (
    !Array.isArray(sort) ||
    sort.length !== 2 ||
    typeof sort[0] !== 'string' ||
    typeof sort[1] !== 'string' ||
    !['ASC', 'DESC'].includes(sort[1].toUpperCase())
  ) {
    throw bad('sort must be ["field","ASC"|"DESC"].', 'sort', '["field","ASC"|"DESC"]');
  }
  if (!sortable.includes(sort[0])) throw bad(`sort field must be one of: ${sortable.join(', ')}.`, 'sort', `unknown field`);
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= MAX_LIST_OFFSET + MAX_LIST_PAGE) ||
    range[1] < range[0] ||
    range[0] > MAX_LIST_OFFSET
  ) {
    throw bad(
      `range must be [start, end]: whole numbers with 0 <= start <= end, start at most ${MAX_LIST_OFFSET}.`,
      'range',
      'invalid range',
    );
  }
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter))
    throw bad('filter must be a JSON object.', 'filter', 'object');
  const limit = Math.min(range[1] - range[0] + 1, MAX_LIST_PAGE);
  return {
    sortField: sort[0],
    sortOrder: sort[1].toUpperCase() as 'ASC' | 'DESC',
    offset: range[0],
    limit,
    filter: filter as Record<string, unknown>,
  };
}

export function contentRange(resource: string, offset: number, count: number, total: number): string {
  const end = count === 0 ? offset : offset + count - 1;
  return `${resource} ${offset}-${end}/${total}`;
}
