import { InvalidRequest } from '../errors';
import { listClauses, type ListQuery, type ListSpec } from './staff-list';

const spec: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 't.id' },
    status: { kind: 'enum', sql: 't.status', values: ['open', 'resolved'] },
    overdue: { kind: 'bool', sql: 't.overdue' },
    q: { kind: 'search', columns: ['t.handle', 't.name'] },
    reason: { kind: 'text', sql: 't.reason' },
  },
  sorts: { createdAt: 't.created_at' },
  tiebreak: 't.id',
};
const query = (filter: Record<string, unknown>, extra: Partial<ListQuery> = {}): ListQuery => ({
  sortField: 'createdAt',
  sortOrder: 'DESC',
  offset: 0,
  limit: 25,
  filter,
  ...extra,
});
const U1 = '0190a000-0000-7000-8000-000000000001';
const U2 = '0190a000-0000-7000-8000-000000000002';

describe('react-admin list → SQL', () => {
  it('binds every filter value as a parameter, never into the SQL text', () => {
    const c = listClauses(spec, query({ status: 'open', reason: "x' OR 1=1 --", q: '50%_off' }));
    expect(c.where).toBe('WHERE t.status = $1 AND t.reason = $2 AND (t.handle ILIKE $3 OR t.name ILIKE $3)');
    expect(c.args).toEqual(['open', "x' OR 1=1 --", '%50\\%\\_off%']);
    expect(c.orderBy).toBe('ORDER BY t.created_at DESC NULLS LAST, t.id');
  });

  it('a list value (getMany) matches any of its items and widens the page to fit them', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`);
    const c = listClauses(spec, query({ id: ids }));
    expect(c.where).toBe('WHERE t.id = ANY($1::uuid[])');
    expect(c.limit).toBe(40);
  });

  it('malformed ids match nothing without reaching PostgreSQL; null matches NULL', () => {
    expect(listClauses(spec, query({ id: 'nope' })).empty).toBe(true);
    expect(listClauses(spec, query({ id: ['nope', U1, U2] })).args).toEqual([[U1, U2]]);
    expect(listClauses(spec, query({ id: null })).where).toBe('WHERE t.id IS NULL');
  });

  it('booleans accept true/false and their strings', () => {
    expect(listClauses(spec, query({ overdue: true })).where).toBe('WHERE (t.overdue)');
    expect(listClauses(spec, query({ overdue: 'false' })).where).toBe('WHERE NOT (t.overdue)');
  });

  it('unknown filters, unknown enum values, objects and unknown sort fields are 400', () => {
    for (const bad of [{ nope: 1 }, { status: 'sleeping' }, { reason: { $gt: '' } }, { overdue: 'maybe' }, { q: ['a'] }]) {
      expect(() => listClauses(spec, query(bad))).toThrow(InvalidRequest);
    }
    expect(() => listClauses(spec, query({}, { sortField: 'password_hash' }))).toThrow(InvalidRequest);
  });
});
