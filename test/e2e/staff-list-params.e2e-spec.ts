import { startTestApp, type TestApp } from '../support/app';
import { loginStaff } from '../support/factories';

/**
 * Every staff list answers hostile sort, range and filter parameters with a 4xx carrying a
 * code, or a valid page: never a 5xx. The lists are pinned by name: one that stops answering
 * as a list fails here instead of dropping out of the tests, and a new list in the OpenAPI
 * document must be added to STAFF_LISTS.
 */
let t: TestApp;
let admin: { auth: Record<string, string> };
const STAFF_LISTS = [
  'reports',
  'cases',
  'templates',
  'policies',
  'users',
  'spam-requests',
  'links',
  'blocklist',
  'actions',
  'appeals',
  'audit-log',
  'staff',
  'rules',
  'rule-hits',
  'held-messages',
].map((r) => `/admin/v1/${r}`);
const lists = STAFF_LISTS;
let documentedLists: string[] = [];

const HOSTILE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];
const HOSTILE_RANGES = [
  '[1e21,1e21]',
  '[0,1e21]',
  '[-1,5]',
  '[0,-1]',
  '[0.5,3]',
  '[0,2.5]',
  '[5,1]',
  '[9007199254740993,9007199254740999]',
  '[1000001,1000010]',
  '["a","b"]',
  '[null,null]',
  '[0]',
  '[0,1,2]',
  '{}',
  '"0-24"',
  '[[0],[1]]',
  '[true,false]',
  '[1e308,1e308]',
];
const HOSTILE_SORTS = [
  ...HOSTILE_KEYS.map((k) => `["${k}","ASC"]`),
  '["id","SIDEWAYS"]',
  '["id",1]',
  '[1,"ASC"]',
  '["id; DROP TABLE staff","ASC"]',
  '["id"]',
  '{"__proto__":"id"}',
  '"id"',
];
/** Values of the wrong type for any filter: objects, arrays of objects, numbers, bad uuids, bad dates. */
const HOSTILE_VALUES: unknown[] = [
  { a: 1 },
  [{}],
  [[1]],
  12345,
  -1,
  1e21,
  0.5,
  true,
  'not-a-uuid',
  '2020-13-45T99:99:99Z',
  null,
  '',
  'x'.repeat(600),
  ['a', 'b'],
  Array.from({ length: 1001 }, (_, i) => String(i)),
];

const enc = encodeURIComponent;

function expectSafe(res: { status: number; body: any; headers: Record<string, string> }, what: string) {
  const ok = res.status === 200 && Array.isArray(res.body) && /^\S+ \d+-\d+\/\d+$/.test(res.headers['content-range'] ?? '');
  const refused = res.status >= 400 && res.status < 500 && typeof res.body?.code === 'string';
  // The label makes a failure name the request that broke.
  expect({ what, status: res.status, ok: ok || refused }).toEqual({ what, status: res.status, ok: true });
}

beforeAll(async () => {
  t = await startTestApp({ label: 'staff_list_params', env: { APP_ROLES: 'api' } });
  admin = await loginStaff(t.url);
  const docs = await t.http().get('/docs-json');
  expect(docs.status).toBe(200);
  // A staff list in the document: a GET under /admin/v1 taking the list parameters sort, range and filter.
  documentedLists = Object.keys(docs.body.paths).filter((p) => {
    const names = (docs.body.paths[p].get?.parameters ?? []).filter((x: any) => x.in === 'query').map((x: any) => x.name);
    return p.startsWith('/admin/v1/') && ['sort', 'range', 'filter'].every((n) => names.includes(n));
  });
});
afterAll(async () => {
  await t?.close();
});

it('the staff lists tested here are exactly the lists of the OpenAPI document', () => {
  expect([...documentedLists].sort()).toEqual([...STAFF_LISTS].sort());
});

it('every pinned staff list answers a plain request with a page and its Content-Range', async () => {
  for (const path of STAFF_LISTS) {
    const res = await t.http().get(path).set(admin.auth);
    expect({
      path,
      status: res.status,
      array: Array.isArray(res.body),
      range: /^\S+ \d+-\d+\/\d+$/.test(res.headers['content-range'] ?? ''),
    }).toEqual({
      path,
      status: 200,
      array: true,
      range: true,
    });
  }
});

it('hostile filter keys (__proto__, constructor, toString, ...) are a 400 invalid_request naming the filter, on every staff list', async () => {
  for (const path of lists) {
    for (const key of HOSTILE_KEYS) {
      for (const value of ['"x"', '{}', '[]', '1', 'null']) {
        const res = await t
          .http()
          .get(`${path}?filter=${enc(`{"${key}":${value}}`)}`)
          .set(admin.auth);
        expectSafe(res, `${path} filter ${key}=${value}`);
        expect({ path, key, status: res.status, code: res.body.code }).toEqual({ path, key, status: 400, code: 'invalid_request' });
      }
    }
  }
});

it('hostile ranges (huge, negative, fractional, reversed, not numbers) are a 400 invalid_request with details, on every staff list', async () => {
  for (const path of lists) {
    for (const range of HOSTILE_RANGES) {
      const res = await t
        .http()
        .get(`${path}?range=${enc(range)}`)
        .set(admin.auth);
      expectSafe(res, `${path} range ${range}`);
      expect({ path, range, status: res.status, code: res.body.code, field: res.body.details?.[0]?.field }).toEqual({
        path,
        range,
        status: 400,
        code: 'invalid_request',
        field: 'range',
      });
    }
  }
});

it('a page far past the end (within bounds) is an empty list with the total, not an error', async () => {
  for (const path of lists) {
    const res = await t
      .http()
      .get(`${path}?range=${enc('[1000000,1000499]')}`)
      .set(admin.auth);
    expectSafe(res, `${path} deep page`);
    expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 200, body: [] });
  }
});

it('sort on unknown or hostile fields is a 400 invalid_request, on every staff list', async () => {
  for (const path of lists) {
    for (const sort of HOSTILE_SORTS) {
      const res = await t
        .http()
        .get(`${path}?sort=${enc(sort)}`)
        .set(admin.auth);
      expectSafe(res, `${path} sort ${sort}`);
      expect({ path, sort, status: res.status, code: res.body.code }).toEqual({ path, sort, status: 400, code: 'invalid_request' });
    }
  }
});

it('filter values of the wrong type on every real filter of every staff list: a 4xx with a code or a valid list, never a 5xx', async () => {
  let probed = 0;
  for (const path of lists) {
    // The 400 for an unknown filter names the real ones.
    const unknown = await t
      .http()
      .get(`${path}?filter=${enc('{"no_such_filter":1}')}`)
      .set(admin.auth);
    expect({ path, status: unknown.status }).toEqual({ path, status: 400 });
    const names = (/filters here: (.*)\.$/.exec(unknown.body.message)?.[1] ?? '').split(', ').filter(Boolean);
    for (const name of names) {
      for (const value of HOSTILE_VALUES) {
        const res = await t
          .http()
          .get(`${path}?filter=${enc(JSON.stringify({ [name]: value }))}`)
          .set(admin.auth);
        expectSafe(res, `${path} filter ${name}=${JSON.stringify(value).slice(0, 40)}`);
        probed++;
      }
    }
  }
  expect(probed).toBeGreaterThan(lists.length * HOSTILE_VALUES.length);
});

it('the bad parameters that once answered 500 on /admin/v1/reports now answer 400 invalid_request', async () => {
  for (const qs of [`filter=${enc('{"constructor":"x"}')}`, `filter=${enc('{"__proto__":"x"}')}`, `range=${enc('[1e21,1e21]')}`]) {
    const res = await t.http().get(`/admin/v1/reports?${qs}`).set(admin.auth);
    expect({ qs, status: res.status, code: res.body.code }).toEqual({ qs, status: 400, code: 'invalid_request' });
  }
});

it('top-level query keys __proto__, constructor and toString next to the list parameters never break a staff list', async () => {
  for (const path of lists) {
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '__proto__[sort]', 'constructor[prototype][x]']) {
      for (const value of ['x', enc('["id","ASC"]'), '']) {
        const res = await t
          .http()
          .get(`${path}?${key}=${value}&range=${enc('[0,4]')}`)
          .set(admin.auth);
        expectSafe(res, `${path} ?${key}=${value}`);
      }
    }
  }
});

/** Valid values a careless query would misread: LIKE wildcards, the widest dates JavaScript knows, huge and tiny numbers. */
const HOSTILE_VALID_VALUES: unknown[] = [
  '%',
  '_',
  '%%',
  '\\',
  '\\%',
  'a%b_c',
  "'",
  '0000-01-01',
  '0000-01-01T00:00:00Z',
  '275760-09-13T00:00:00Z',
  '275760-09-14',
  '-271821-04-20T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01',
  9007199254740991,
  -9007199254740991,
  2147483648,
  1e20,
  0,
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];

it('hostile but well-formed filter values (LIKE wildcards, dates at the ends of time, huge numbers) on every filter of every staff list: a page or a 4xx with a code', async () => {
  let probed = 0;
  for (const path of lists) {
    const unknown = await t
      .http()
      .get(`${path}?filter=${enc('{"no_such_filter":1}')}`)
      .set(admin.auth);
    const names = (/filters here: (.*)\.$/.exec(unknown.body.message)?.[1] ?? '').split(', ').filter(Boolean);
    expect({ path, names: names.length > 0 }).toEqual({ path, names: true });
    for (const name of names) {
      for (const value of HOSTILE_VALID_VALUES) {
        const res = await t
          .http()
          .get(`${path}?filter=${enc(JSON.stringify({ [name]: value }))}&range=${enc('[0,4]')}`)
          .set(admin.auth);
        expectSafe(res, `${path} filter ${name}=${JSON.stringify(value)}`);
        probed++;
      }
    }
    // The widest range a page allows, deep in the list: a page, not an error.
    const wide = await t
      .http()
      .get(`${path}?range=${enc('[1000000,1000499]')}`)
      .set(admin.auth);
    expectSafe(wide, `${path} widest deep range`);
  }
  expect(probed).toBeGreaterThan(lists.length * HOSTILE_VALID_VALUES.length);
});

it('LIKE wildcards in a search filter are matched as characters: % and _ find no staff member, a real word finds the admin', async () => {
  const find = async (q: string) =>
    (
      await t
        .http()
        .get(`/admin/v1/staff?filter=${enc(JSON.stringify({ q }))}`)
        .set(admin.auth)
        .expect(200)
    ).body.map((s: any) => s.email);
  expect({ admin: await find('admin'), percent: await find('%'), underscore: await find('_'), both: await find('%_%') }).toEqual({
    admin: ['admin@example.com'],
    percent: [],
    underscore: [],
    both: [],
  });
});
