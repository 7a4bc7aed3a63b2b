import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser } from '../support/factories';

/**
 * Hostile input against EVERY route in the OpenAPI document (so routes added later are
 * covered without touching this file): malformed ids in every path parameter, wrong types,
 * huge strings, NUL bytes, SQL and NoSQL injection shapes, arrays where strings belong,
 * non-object bodies. The rule: always a 4xx (or a 2xx for harmless input) in the contract's
 * error shape, never a 5xx.
 */
let t: TestApp;
let userAuth: Record<string, string>;
let staffAuth: Record<string, string>;

beforeAll(async () => {
  t = await startTestApp({ label: 'fuzz', env: { LIMIT_LOGIN_HANDLE: '100000/60', LIMIT_LOGIN_IP: '100000/60', LIMIT_REGISTER_IP: '100000/60' } });
  userAuth = (await registerUser(t.url)).auth;
  staffAuth = (await loginStaff(t.url)).auth;
});
afterAll(async () => {
  await t?.close();
});

const HOSTILE_IDS = ['not-a-uuid', '%00', "1'%20OR%20'1'%3D'1", '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(300), '00000000-0000-7000-8000-000000000000', '%7B%22%24gt%22%3A%22%22%7D'];
const HOSTILE_VALUES: unknown[] = [
  ['a', 'b'],
  { $gt: '' },
  { $ne: null },
  123456789012345,
  -1,
  1.5,
  true,
  null,
  '',
  'x'.repeat(70_000 / 8),
  'nul\u0000byte',
  "' OR 1=1; DROP TABLE app_user; --",
  '<script>alert(1)</script>',
  '\u202e\ud800',
];
const HOSTILE_BODIES: unknown[] = [[], [1, 2], 'just a string', 42, null, { __proto__: { admin: true } }, { constructor: { prototype: { x: 1 } } }];
const HOSTILE_QUERIES = ['limit=-1', 'limit=1e9', 'limit[]=1', 'cursor=%00', 'cursor=' + 'z'.repeat(600), 'sort=%5B%22id%22', 'range=%5B0', 'filter=%7Bbad', 'sort=%5B%22password_hash%22%2C%22ASC%22%5D', 'folder[]=inbox', 'afterSeq=99999999999999999999'];

interface Route {
  method: string;
  path: string;
  fields: string[];
}

async function routes(): Promise<Route[]> {
  const doc = (await request(t.url).get('/docs-json')).body;
  const out: Route[] = [];
  for (const [path, ops] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      const ref = op.requestBody?.content?.['application/json']?.schema?.$ref as string | undefined;
      const schema = ref ? doc.components.schemas[ref.split('/').pop()!] : undefined;
      out.push({ method, path, fields: Object.keys(schema?.properties ?? {}) });
    }
  }
  return out;
}

function expectNo5xx(res: request.Response, what: string) {
  if (res.status >= 500) throw new Error(`${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  if (res.status >= 400) {
    expect(res.body).toEqual(expect.objectContaining({ statusCode: res.status, code: expect.any(String), message: expect.any(String) }));
  }
}

it('the OpenAPI document lists the contract routes', async () => {
  const list = await routes();
  const paths = new Set(list.map((r) => `${r.method.toUpperCase()} ${r.path}`));
  for (const p of ['POST /v1/auth/register', 'POST /v1/auth/login', 'GET /v1/me', 'POST /v1/conversations', 'POST /v1/conversations/{id}/messages']) {
    expect(paths).toContain(p);
  }
});

it('every route answers hostile path ids, bodies, field values and queries with a 4xx (or harmless 2xx), never a 5xx', async () => {
  const list = await routes();
  expect(list.length).toBeGreaterThan(10);
  let sent = 0;
  for (const route of list) {
    const auth = route.path.startsWith('/admin/') ? staffAuth : userAuth;
    const hasParams = route.path.includes('{');
    const fill = (id: string) => route.path.replace(/\{[^}]+\}/g, id);
    const call = (path: string, body?: unknown, query = '') => {
      const r = (request(t.url) as any)[route.method](path + (query ? `?${query}` : '')).set(auth);
      return body === undefined ? r : r.set('Content-Type', 'application/json').send(JSON.stringify(body));
    };
    const jobs: Array<[string, () => Promise<request.Response>]> = [];
    for (const id of hasParams ? HOSTILE_IDS : ['']) {
      const path = hasParams ? fill(id) : route.path;
      jobs.push([`${route.method} ${path} {}`, () => call(path, ['get', 'delete'].includes(route.method) ? undefined : {})]);
    }
    const path = hasParams ? fill('00000000-0000-7000-8000-000000000000') : route.path;
    if (!['get', 'delete'].includes(route.method)) {
      for (const body of HOSTILE_BODIES) jobs.push([`${route.method} ${path} body=${JSON.stringify(body)}`, () => call(path, body)]);
      for (const field of route.fields) {
        for (const value of HOSTILE_VALUES) jobs.push([`${route.method} ${path} ${field}=${JSON.stringify(value).slice(0, 40)}`, () => call(path, { [field]: value })]);
      }
    } else {
      for (const q of HOSTILE_QUERIES) jobs.push([`${route.method} ${path}?${q}`, () => call(path, undefined, q)]);
    }
    // Unauthenticated and wrong-audience calls are 401, never 5xx.
    jobs.push([`${route.method} ${path} (no token)`, () => (request(t.url) as any)[route.method](path)]);
    for (let i = 0; i < jobs.length; i += 8) {
      const batch = jobs.slice(i, i + 8);
      const results = await Promise.all(batch.map(([, run]) => run()));
      results.forEach((res, j) => expectNo5xx(res, batch[j][0]));
      sent += batch.length;
    }
  }
  expect(sent).toBeGreaterThan(200);
  // The app is still healthy afterwards.
  expect((await request(t.url).get('/health')).status).toBe(200);
});
