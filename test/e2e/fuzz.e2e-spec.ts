import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';
import { connectSocket, emitAck } from '../support/socket';

/**
 * Hostile input against the whole API, in four passes:
 * 1. every route of the OpenAPI document (so routes added later are covered without touching
 *    this file): malformed ids in every path parameter, hostile raw JSON bodies (sent as
 *    strings, so `__proto__` really is on the wire), hostile values in every body field, and
 *    every query parameter any route reads;
 * 2. a valid request on a real resource, changed one field (or one path parameter) at a time,
 *    so the hostile value reaches the domain code instead of stopping at "missing field" or
 *    "unknown id";
 * 3. the staff list parameters (sort, range, filter) with hostile keys and numbers;
 * 4. the socket events (`message.send`, `typing`) with hostile payloads.
 * The rule everywhere: a 4xx in the contract's error shape (or a 2xx for harmless input),
 * never a 5xx, and on the socket an ack of `{message}` / `{relayed}` or `{error: {code, message}}`.
 * Calls without a token, or with the other audience's token, are 401.
 */
let t: TestApp;
let a: TestUser;
let b: TestUser;
let c: TestUser;
let victim: TestUser;
let refresher: TestUser;
let staff: { auth: Record<string, string>; staff: { id: string } };
const ids: Record<string, string> = {};
const PLATFORM_KEY = 'fuzz-platform-key-0123456789';
const platform = { Authorization: `Bearer ${PLATFORM_KEY}` };

beforeAll(async () => {
  t = await startTestApp({
    label: 'fuzz',
    env: {
      LIMIT_LOGIN_HANDLE: '100000/60',
      LIMIT_LOGIN_IP: '100000/60',
      LIMIT_REGISTER_IP: '100000/60',
      LIMIT_SEND_BURST: '100000/10',
      LIMIT_SEND_SUSTAINED: '100000/3600',
      LIMIT_CONVERSATIONS: '100000/3600',
      LIMIT_REQUESTS: '100000/86400',
      LIMIT_QUESTIONS: '100000/3600',
      LIMIT_REPORTS: '100000/3600',
      PLATFORM_API_KEYS: `fuzz:${PLATFORM_KEY}`,
      LIMIT_PLATFORM: '100000/60',
      LIMIT_PLATFORM_AUTH_FAILURES: '100000/60',
      LIMIT_SEARCH: '100000/60',
      LIMIT_BLOCKS: '100000/60',
      LIMIT_HIDDEN_WORDS: '100000/60',
      LIMIT_DECLINE_ALL: '100000/60',
    },
  });
  [a, b, c, victim, refresher] = await Promise.all([registerUser(t.url), registerUser(t.url), registerUser(t.url), registerUser(t.url), registerUser(t.url)]);
  staff = await loginStaff(t.url);
  const http = () => request(t.url);
  // Real resources for pass 2: b and c follow a, so a's conversations are active at once.
  await http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  await http().put(`/v1/users/${a.id}/follow`).set(c.auth).expect(204);
  ids.room = (await http().post('/v1/rooms').set(a.auth).send({ title: 'fuzz room' }).expect(201)).body.id;
  await http().post(`/v1/rooms/${ids.room}/join`).set(b.auth).expect((r) => expect(r.status).toBeLessThan(300));
  ids.question = (await http().post(`/v1/rooms/${ids.room}/questions`).set(b.auth).send({ text: 'why?' }).expect(201)).body.id;
  ids.direct = (await http().post('/v1/conversations').set(a.auth).send({ participantIds: [b.id] }).expect(201)).body.id;
  ids.group = (await http().post('/v1/conversations').set(a.auth).send({ participantIds: [b.id, c.id], title: 'g' }).expect(201)).body.id;
  ids.message = (await http().post(`/v1/conversations/${ids.direct}/messages`).set(a.auth).send({ clientId: 'seed', text: 'see https://fuzz.example.com/x' }).expect(201)).body.id;
  // The report is about the victim's message, so resolving it (restrict_messaging) never silences a.
  const victimConv = (await http().post('/v1/conversations').set(victim.auth).send({ participantIds: [c.id] }).expect(201)).body.id;
  ids.victimMessage = (await http().post(`/v1/conversations/${victimConv}/messages`).set(victim.auth).send({ clientId: 'v', text: 'buy now' }).expect(201)).body.id;
  ids.report = (await http().post('/v1/reports').set(c.auth).send({ subjectType: 'message', subjectId: ids.victimMessage, reason: 'spam' }).expect(201)).body.id;
  ids.action = (await http().post(`/admin/v1/users/${victim.id}/actions`).set(staff.auth).send({ action: 'warn', note: 'seed' }).expect(200)).body.action?.id;
  expect(ids.action).toEqual(expect.any(String));
  ids.appeal = (await http().post('/v1/appeals').set(victim.auth).send({ actionId: ids.action, text: 'not me' }).expect(201)).body.id;
  ids.blocklist = (await http().post('/admin/v1/blocklist').set(staff.auth).send({ pattern: 'fuzz-bad.example', kind: 'domain', reason: 'seed' }).expect(201)).body.id;
  ids.staff = (await http().post('/admin/v1/staff').set(staff.auth).send({ email: 'fuzz@example.com', displayName: 'Fuzz', password: 'fuzz-password-1', role: 'triage' }).expect(201)).body.id;
  const links = await http().get('/admin/v1/links').set(staff.auth).expect(200);
  ids.link = links.body[0].id;
  const audit = await http().get('/admin/v1/audit-log').set(staff.auth).expect(200);
  ids.audit = audit.body[0].id;
  await http().put('/platform/v1/users/fz-host').set(platform).send({ handle: 'fz_host', displayName: 'Fuzz host' }).expect(201);
  for (const k of ['link', 'audit', 'report', 'appeal', 'blocklist', 'staff']) expect([k, ids[k]]).toEqual([k, expect.any(String)]);
});
afterAll(async () => {
  await t?.close();
});

const HOSTILE_IDS = ['not-a-uuid', '%00', "1'%20OR%20'1'%3D'1", '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(300), '00000000-0000-7000-8000-000000000000', '%7B%22%24gt%22%3A%22%22%7D', '__proto__', 'constructor', '-1', '1e999'];
const HOSTILE_VALUES: unknown[] = [
  ['a', 'b'],
  [],
  { $gt: '' },
  { $ne: null },
  123456789012345,
  1e308,
  -1,
  0,
  1.5,
  -0.5,
  true,
  null,
  '',
  ' ',
  'x'.repeat(70_000 / 8),
  'nul\u0000byte',
  "' OR 1=1; DROP TABLE app_user; --",
  '<script>alert(1)</script>',
  '\u202e\ud800',
  '__proto__',
  'constructor',
  'toString',
];
/** Raw JSON text: written as JS literals, `{__proto__: …}` would set the prototype and send `{}`. */
const HOSTILE_BODIES: string[] = [
  '[]',
  '[1,2]',
  '"just a string"',
  '42',
  'null',
  '{"__proto__": {"admin": true}}',
  '{"__proto__": {"participantIds": ["x"], "text": "polluted"}}',
  '{"constructor": {"prototype": {"x": 1}}}',
  '{"toString": "x", "valueOf": 1, "hasOwnProperty": false}',
  '{"a":',
  '{"deep":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
];
/** Every query parameter some route reads, with hostile values. */
const QUERY_PARAMS = ['limit', 'cursor', 'folder', 'q', 'beforeSeq', 'afterSeq', 'from', 'to', 'pattern', 'kind', 'sort', 'range', 'filter', 'handle', 'conversationId'];
const QUERY_VALUES = ['-1', '1.5', '99999999999999999999', '%00', 'z'.repeat(600), '__proto__', '2024-13-45%ED%A0%80'];
const QUERY_EXTRA = ['limit[]=1', 'cursor[]=1', 'afterSeq=1&afterSeq=2', 'q[$gt]=', 'folder[]=inbox', 'kind[__proto__]=x'];

/** Staff list parameters: valid JSON, hostile keys and numbers. */
const STAFF_LIST_QUERIES = [
  'sort=' + encodeURIComponent('["__proto__","ASC"]'),
  'sort=' + encodeURIComponent('["constructor","DESC"]'),
  'sort=' + encodeURIComponent('["toString","ASC"]'),
  'sort=' + encodeURIComponent('["id","__proto__"]'),
  'sort=' + encodeURIComponent('{"__proto__":1}'),
  'filter=' + encodeURIComponent('{"__proto__":{"x":1}}'),
  'filter=' + encodeURIComponent('{"constructor":"x"}'),
  'filter=' + encodeURIComponent('{"toString":"x"}'),
  'filter=' + encodeURIComponent('{"hasOwnProperty":1}'),
  'filter=' + encodeURIComponent('{"id":{"__proto__":1}}'),
  'filter=' + encodeURIComponent('[1,2]'),
  'filter=' + encodeURIComponent('null'),
  'range=' + encodeURIComponent('[0,1e308]'),
  'range=' + encodeURIComponent('[0,99999999999999999999]'),
  'range=' + encodeURIComponent('[-5,3]'),
  'range=' + encodeURIComponent('[-10,-1]'),
  'range=' + encodeURIComponent('[0.5,2.5]'),
  'range=' + encodeURIComponent('[10,2]'),
  'range=' + encodeURIComponent('[0]'),
  'range=' + encodeURIComponent('{"0":0,"1":5}'),
  'range=' + encodeURIComponent('["0","5"]'),
  'range=' + encodeURIComponent('[1e-7,5]'),
];

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

/** Percent-encodes a query value; a lone surrogate (not encodable as UTF-8) goes out as the invalid bytes %ED%A0%80. */
function encodeQueryValue(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return encodeURIComponent(v.replace(/[\ud800-\udfff]/g, '')) + '%ED%A0%80';
  }
}

type Job = [string, () => Promise<request.Response>];

/** One call with a raw JSON body string (or none). */
function call(method: string, path: string, auth: Record<string, string> | undefined, body?: string, query = ''): Promise<request.Response> {
  let r = (request(t.url) as any)[method](path + (query ? `?${query}` : ''));
  if (auth) r = r.set(auth);
  return body === undefined ? r : r.set('Content-Type', 'application/json').send(body);
}

/** Runs the jobs 16 at a time and returns every broken answer (5xx, or a 4xx without the error shape). */
async function run(jobs: Job[]): Promise<string[]> {
  const broken: string[] = [];
  for (let i = 0; i < jobs.length; i += 16) {
    const batch = jobs.slice(i, i + 16);
    const results = await Promise.all(batch.map(([, go]) => go()));
    results.forEach((res, j) => {
      const what = batch[j][0].slice(0, 160);
      if (res.status >= 500) broken.push(`${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      else if (res.status >= 400 && !(res.body?.statusCode === res.status && typeof res.body.code === 'string' && typeof res.body.message === 'string')) {
        broken.push(`${what} → ${res.status} without the error shape: ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    });
  }
  return broken;
}

// logout takes the refresh token in its body (an expired access token must not stop a sign-out).
// Public by design: the web app's page and the AsyncAPI document (issue #17).
const PUBLIC = new Set(['/health', '/health/live', '/v1/auth/register', '/v1/auth/login', '/v1/auth/refresh', '/v1/auth/logout', '/admin/v1/auth/login', '/', '/asyncapi.json']);
const isAdmin = (path: string) => path.startsWith('/admin/');
const isPlatform = (path: string) => path.startsWith('/platform/');
const hasBody = (method: string) => !['get', 'delete'].includes(method);

it('every route answers hostile path ids, raw JSON bodies, field values and query parameters with a 4xx (or harmless 2xx), never a 5xx', async () => {
  const list = await routes();
  expect(list.length).toBeGreaterThan(40);
  const jobs: Job[] = [];
  for (const route of list) {
    const auth = isAdmin(route.path) ? staff.auth : isPlatform(route.path) ? platform : a.auth;
    const fill = (id: string) => route.path.replace(/\{[^}]+\}/g, id);
    for (const id of route.path.includes('{') ? HOSTILE_IDS : []) {
      jobs.push([`${route.method} ${fill(id)} {}`, () => call(route.method, fill(id), auth, hasBody(route.method) ? '{}' : undefined)]);
    }
    const path = fill('00000000-0000-7000-8000-000000000000');
    if (hasBody(route.method)) {
      for (const body of HOSTILE_BODIES) jobs.push([`${route.method} ${path} body=${body.slice(0, 60)}`, () => call(route.method, path, auth, body)]);
      for (const field of route.fields) {
        for (const value of HOSTILE_VALUES) jobs.push([`${route.method} ${path} ${field}=${JSON.stringify(value).slice(0, 40)}`, () => call(route.method, path, auth, JSON.stringify({ [field]: value }))]);
        jobs.push([`${route.method} ${path} ${field} + __proto__`, () => call(route.method, path, auth, `{"${field}": "x", "__proto__": {"${field}": "y"}}`)]);
      }
    } else {
      for (const p of QUERY_PARAMS) for (const v of QUERY_VALUES) jobs.push([`${route.method} ${path}?${p}=${v}`, () => call(route.method, path, auth, undefined, `${p}=${v}`)]);
      for (const q of QUERY_EXTRA) jobs.push([`${route.method} ${path}?${q}`, () => call(route.method, path, auth, undefined, q)]);
    }
  }
  expect(jobs.length).toBeGreaterThan(2000);
  expect(await run(jobs)).toEqual([]);
  expect((await request(t.url).get('/health')).status).toBe(200);
}, 300_000);

it('every protected route is 401 without a token and 401 with the other audience’s token (user token on /admin/v1, staff token on /v1)', async () => {
  const list = (await routes()).filter((r) => !PUBLIC.has(r.path));
  expect(list.length).toBeGreaterThan(40);
  const wrong: string[] = [];
  for (const route of list) {
    const path = route.path.replace(/\{[^}]+\}/g, '00000000-0000-7000-8000-000000000000');
    const body = hasBody(route.method) ? '{}' : undefined;
    const other = isAdmin(route.path) ? a.auth : staff.auth;
    const [none, crossed] = await Promise.all([call(route.method, path, undefined, body), call(route.method, path, other, body)]);
    if (none.status !== 401 || none.body?.statusCode !== 401) wrong.push(`${route.method} ${route.path} without a token → ${none.status}`);
    if (crossed.status !== 401 || crossed.body?.statusCode !== 401) wrong.push(`${route.method} ${route.path} with the ${isAdmin(route.path) ? 'user' : 'staff'} token → ${crossed.status}`);
  }
  expect(wrong).toEqual([]);
});

/** Valid requests on real resources: [method, path template, valid body, who calls]. */
function validRequests(): Array<{ method: string; path: string; params: Record<string, string>; body: Record<string, unknown>; auth: Record<string, string> }> {
  const reg = () => ({ handle: uniqueHandle('fz'), displayName: 'Fuzz', password: 'a long password' });
  return [
    { method: 'post', path: '/v1/auth/register', params: {}, body: reg(), auth: {} },
    { method: 'post', path: '/v1/auth/login', params: {}, body: { handle: a.handle, password: 'correct horse battery' }, auth: {} },
    { method: 'post', path: '/v1/auth/refresh', params: {}, body: { refreshToken: refresher.refreshToken }, auth: {} },
    { method: 'patch', path: '/v1/me/settings', params: {}, body: { allowIncoming: 'all' }, auth: a.auth },
    { method: 'post', path: '/v1/conversations', params: {}, body: { participantIds: [b.id, c.id], title: 'fuzzed', roomId: ids.room }, auth: a.auth },
    { method: 'post', path: '/v1/conversations/{id}/members', params: { id: ids.group }, body: { userIds: [c.id] }, auth: a.auth },
    { method: 'post', path: '/v1/conversations/{id}/read', params: { id: ids.direct }, body: { seq: 1 }, auth: b.auth },
    { method: 'post', path: '/v1/conversations/{id}/messages', params: { id: ids.direct }, body: { clientId: 'fz', text: 'hello https://example.com/', replyTo: 1 }, auth: a.auth },
    { method: 'patch', path: '/v1/conversations/{id}/messages/{messageId}', params: { id: ids.direct, messageId: ids.message }, body: { text: 'edited by the fuzzer https://example.com/e' }, auth: a.auth },
    { method: 'put', path: '/v1/conversations/{id}/messages/{messageId}/reactions/{emoji}', params: { id: ids.direct, messageId: ids.message, emoji: encodeURIComponent('👍🏽') }, body: {}, auth: b.auth },
    { method: 'delete', path: '/v1/conversations/{id}/messages/{messageId}/reactions/{emoji}', params: { id: ids.direct, messageId: ids.message, emoji: encodeURIComponent('👍🏽') }, body: {}, auth: b.auth },
    { method: 'get', path: '/v1/search', params: {}, body: { q: 'fuzz example', conversationId: ids.direct, limit: '10' }, auth: a.auth },
    { method: 'delete', path: '/v1/conversations/{id}/messages/{messageId}', params: { id: ids.direct, messageId: ids.message }, body: {}, auth: b.auth },
    { method: 'post', path: '/v1/rooms', params: {}, body: { title: 'fuzzed room' }, auth: a.auth },
    { method: 'put', path: '/v1/rooms/{id}/members/{userId}/role', params: { id: ids.room, userId: b.id }, body: { role: 'speaker' }, auth: a.auth },
    { method: 'post', path: '/v1/rooms/{id}/questions', params: { id: ids.room }, body: { text: 'a question' }, auth: b.auth },
    { method: 'patch', path: '/v1/rooms/{id}/questions/{qid}', params: { id: ids.room, qid: ids.question }, body: { status: 'pinned' }, auth: a.auth },
    { method: 'post', path: '/v1/rooms/{id}/questions/{qid}/upvote', params: { id: ids.room, qid: ids.question }, body: {}, auth: a.auth },
    { method: 'post', path: '/v1/reports', params: {}, body: { subjectType: 'message', subjectId: ids.message, reason: 'spam', note: 'n' }, auth: c.auth },
    { method: 'post', path: '/v1/appeals', params: {}, body: { actionId: ids.action, text: 'please' }, auth: victim.auth },
    { method: 'post', path: '/admin/v1/auth/login', params: {}, body: { email: 'admin@example.com', password: 'admin-password-1' }, auth: {} },
    { method: 'post', path: '/admin/v1/reports/{id}/escalate', params: { id: ids.report }, body: { note: 'look' }, auth: staff.auth },
    { method: 'post', path: '/admin/v1/reports/{id}/resolve', params: { id: ids.report }, body: { action: 'restrict_messaging', durationHours: 1, note: 'n' }, auth: staff.auth },
    { method: 'post', path: '/admin/v1/reports/bulk-resolve', params: {}, body: { action: 'restrict_messaging', durationHours: 1, note: 'n', ids: [ids.report] }, auth: staff.auth },
    { method: 'post', path: '/admin/v1/users/{id}/actions', params: { id: victim.id }, body: { action: 'restrict_messaging', durationHours: 1, note: 'n' }, auth: staff.auth },
    { method: 'put', path: '/admin/v1/links/{id}', params: { id: ids.link }, body: { verdict: 'safe', reason: 'r' }, auth: staff.auth },
    { method: 'post', path: '/admin/v1/blocklist', params: {}, body: { pattern: 'another-bad.example', kind: 'domain', reason: 'r' }, auth: staff.auth },
    { method: 'get', path: '/admin/v1/blocklist/preview', params: {}, body: { kind: 'domain', pattern: 'fuzz.example.com' }, auth: staff.auth },
    { method: 'post', path: '/admin/v1/appeals/{id}/decide', params: { id: ids.appeal }, body: { decision: 'rejected', note: 'n' }, auth: staff.auth },
    { method: 'post', path: '/admin/v1/staff', params: {}, body: { email: 'fz2@example.com', displayName: 'F', password: 'fuzz-password-2', role: 'triage' }, auth: staff.auth },
    { method: 'patch', path: '/admin/v1/staff/{id}', params: { id: ids.staff }, body: { displayName: 'F', role: 'triage', disabled: false }, auth: staff.auth },
    { method: 'put', path: '/admin/v1/staff/{id}', params: { id: ids.staff }, body: { email: 'fuzz@example.com', displayName: 'F', password: 'fuzz-password-3', role: 'triage', disabled: false }, auth: staff.auth },
    { method: 'get', path: '/v1/conversations/{id}/messages', params: { id: ids.direct }, body: { afterSeq: '0', limit: '10' }, auth: a.auth },
    { method: 'get', path: '/v1/conversations/{id}/messages', params: { id: ids.direct }, body: { beforeSeq: '2', limit: '10', cursor: 'b2' }, auth: a.auth },
    { method: 'get', path: '/v1/conversations', params: {}, body: { folder: 'inbox', limit: '10' }, auth: a.auth },
    { method: 'get', path: '/v1/sync', params: {}, body: { cursor: '0', limit: '10' }, auth: a.auth },
    { method: 'get', path: '/v1/notices', params: {}, body: { limit: '10' }, auth: a.auth },
    { method: 'put', path: '/platform/v1/users/{externalId}', params: { externalId: 'fz-user' }, body: { handle: 'fz_user', displayName: 'Fz' }, auth: platform },
    { method: 'post', path: '/platform/v1/users/{externalId}/tokens', params: { externalId: 'fz-host' }, body: {}, auth: platform },
    {
      method: 'put', path: '/platform/v1/rooms/{externalId}', params: { externalId: 'fz-room' },
      body: { title: 'Fuzz room', status: 'live', members: [{ userExternalId: 'fz-host', role: 'host' }] }, auth: platform,
    },
  ];
}

it('a valid request on a real resource, changed one field or one path parameter at a time, is never a 5xx', async () => {
  const documented = new Set((await routes()).map((r) => `${r.method} ${r.path}`));
  const jobs: Job[] = [];
  for (const v of validRequests()) {
    // The table describes real routes: a renamed route must be renamed here too.
    expect([v.method, v.path, documented.has(`${v.method} ${v.path}`)]).toEqual([v.method, v.path, true]);
    const fill = (params: Record<string, string>) => v.path.replace(/\{([^}]+)\}/g, (_, k) => params[k]);
    const isQuery = v.method === 'get';
    const send = (body: Record<string, unknown>, params = v.params) => {
      if (!isQuery) return call(v.method, fill(params), v.auth, JSON.stringify(body));
      const qs = Object.entries(body).map(([k, x]) => `${encodeURIComponent(k)}=${encodeQueryValue(typeof x === 'string' ? x : JSON.stringify(x))}`).join('&');
      return call(v.method, fill(params), v.auth, undefined, qs);
    };
    for (const field of Object.keys(v.body)) {
      for (const value of HOSTILE_VALUES) {
        jobs.push([`${v.method} ${v.path} ${field}=${JSON.stringify(value).slice(0, 40)}`, () => send({ ...v.body, [field]: value })]);
      }
      const { [field]: _dropped, ...rest } = v.body;
      jobs.push([`${v.method} ${v.path} without ${field}`, () => send(rest)]);
    }
    if (!isQuery) {
      for (const key of ['__proto__', 'constructor', 'toString']) {
        const raw = JSON.stringify(v.body).replace(/^\{/, `{"${key}": {"admin": true, "role": "admin"},`).replace(/,\}$/, '}');
        jobs.push([`${v.method} ${v.path} + ${key}`, () => call(v.method, fill(v.params), v.auth, raw)]);
      }
    }
    for (const param of Object.keys(v.params)) {
      for (const id of HOSTILE_IDS) jobs.push([`${v.method} ${v.path} ${param}=${id}`, () => send(v.body, { ...v.params, [param]: id })]);
    }
  }
  expect(jobs.length).toBeGreaterThan(500);
  expect(await run(jobs)).toEqual([]);
  expect((await request(t.url).get('/health')).status).toBe(200);
}, 300_000);

it('staff lists answer hostile sort, range and filter (valid JSON, hostile keys and numbers) with 400 invalid_request or 200, never a 5xx', async () => {
  const lists = (await routes()).filter((r) => r.method === 'get' && isAdmin(r.path) && !r.path.includes('{') && !r.path.includes('/preview') && r.path !== '/admin/v1/stats');
  expect(lists.length).toBeGreaterThanOrEqual(8);
  const jobs: Job[] = [];
  for (const route of lists) {
    for (const q of STAFF_LIST_QUERIES) jobs.push([`GET ${route.path}?${decodeURIComponent(q)}`, () => call('get', route.path, staff.auth, undefined, q)]);
  }
  const broken = await run(jobs);
  expect(broken).toEqual([]);
  // Harmless or refused, the answer is one of the two, and a refusal says invalid_request.
  const sample = await call('get', '/admin/v1/reports', staff.auth, undefined, STAFF_LIST_QUERIES[0]);
  expect([200, 400]).toContain(sample.status);
}, 300_000);

describe('socket events with hostile payloads', () => {
  let socket: Socket;
  beforeAll(async () => {
    socket = await connectSocket(t.url, a.token);
  });
  afterAll(() => {
    socket?.close();
  });

  const payloads = (base: Record<string, unknown>): unknown[] => {
    const out: unknown[] = [undefined, null, 42, 'just a string', [], [base], JSON.parse('{"__proto__": {"conversationId": "x"}}'), JSON.parse('{"constructor": {"prototype": {"x": 1}}}'), { toString: 'x' }];
    for (const field of Object.keys(base)) {
      for (const value of HOSTILE_VALUES) out.push({ ...base, [field]: value });
      out.push(JSON.parse(JSON.stringify(base).replace(/^\{/, `{"__proto__": {"${field}": "polluted"},`)));
    }
    return out;
  };

  it('message.send acks {message} or {error: {code, message}} for every hostile payload, and the socket stays up', async () => {
    // The base payload is accepted, so each changed field is what the server judges.
    expect((await emitAck(socket, 'message.send', { conversationId: ids.direct, clientId: 'sock-base', text: 'hi' })).message).toMatchObject({ clientId: 'sock-base' });
    const bad: string[] = [];
    let n = 0;
    for (const p of payloads({ conversationId: ids.direct, clientId: 'sock', text: 'hi' })) {
      const ack = await emitAck(socket, 'message.send', typeof p === 'object' && p && 'clientId' in p ? { ...(p as object), clientId: `sock-${n++}` } : p);
      const ok = (ack && typeof ack.message?.id === 'string') || (ack && typeof ack.error?.code === 'string' && typeof ack.error?.message === 'string');
      if (!ok || ack.error?.code === 'internal_error') bad.push(`${JSON.stringify(p)?.slice(0, 80)} → ${JSON.stringify(ack).slice(0, 160)}`);
    }
    expect(bad).toEqual([]);
    expect(socket.connected).toBe(true);
  });

  it('typing acks {relayed} or {error: {code, message}} for every hostile payload, and the socket stays up', async () => {
    expect(await emitAck(socket, 'typing', { conversationId: ids.direct })).toEqual({ relayed: expect.any(Boolean) });
    const bad: string[] = [];
    for (const p of payloads({ conversationId: ids.direct })) {
      const ack = await emitAck(socket, 'typing', p);
      const ok = (ack && typeof ack.relayed === 'boolean') || (ack && typeof ack.error?.code === 'string' && typeof ack.error?.message === 'string');
      if (!ok || ack.error?.code === 'internal_error') bad.push(`${JSON.stringify(p)?.slice(0, 80)} → ${JSON.stringify(ack).slice(0, 160)}`);
    }
    expect(bad).toEqual([]);
    expect(socket.connected).toBe(true);
  });

  it('events without an ack, unknown events and extra arguments do not break the socket: a valid send still works', async () => {
    socket.emit('message.send', { conversationId: ids.direct, clientId: 'no-ack', text: 'x' });
    socket.emit('typing', JSON.parse('{"__proto__": {"x": 1}}'));
    socket.emit('nonsense', 1, 2, 3);
    socket.emit('__proto__', {});
    socket.emit('message.send', 'a', 'b', 'c');
    const ack = await emitAck(socket, 'message.send', { conversationId: ids.direct, clientId: 'after-noise', text: 'still fine' });
    expect(ack).toEqual({ message: expect.objectContaining({ clientId: 'after-noise', text: 'still fine' }) });
    expect(socket.connected).toBe(true);
    expect((await request(t.url).get('/health')).status).toBe(200);
  });
});
