import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';
import { connectSocket, emitAck } from '../support/socket';
import { until } from '../support/wait';

/**
 * Hostile input against the whole API, in four passes:
 * 1. every route of the OpenAPI document (so routes added later are covered without touching
 *    this file): malformed ids in every path parameter, hostile raw JSON bodies (sent as
 *    strings, so `__proto__` really is on the wire), hostile values in every body field, and
 *    in each query parameter the route documents (plus hostile top-level query keys);
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
let punished: TestUser;
let target: TestUser;
let reporter: TestUser;
let reported: TestUser;
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
      FANOUT_REQUESTS: '100000',
      PILE_ON_REQUESTS: '100000',
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
  [a, b, c, victim, refresher, punished, target, reporter, reported] = await Promise.all(
    Array.from({ length: 9 }, () => registerUser(t.url)),
  );
  staff = await loginStaff(t.url);
  const http = () => request(t.url);
  // Real resources for pass 2: b and c follow a, so a's conversations are active at once.
  await http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  await http().put(`/v1/users/${a.id}/follow`).set(c.auth).expect(204);
  ids.room = (await http().post('/v1/rooms').set(a.auth).send({ title: 'fuzz room' }).expect(201)).body.id;
  // b and c attend the room, so a room conversation with both of them is valid.
  for (const u of [b, c])
    await http()
      .post(`/v1/rooms/${ids.room}/join`)
      .set(u.auth)
      .expect((r) => expect(r.status).toBeLessThan(300));
  ids.question = (await http().post(`/v1/rooms/${ids.room}/questions`).set(b.auth).send({ text: 'why?' }).expect(201)).body.id;
  ids.direct = (
    await http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201)
  ).body.id;
  ids.group = (
    await http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id, c.id], title: 'g' })
      .expect(201)
  ).body.id;
  ids.message = (
    await http()
      .post(`/v1/conversations/${ids.direct}/messages`)
      .set(a.auth)
      .send({ clientId: 'seed', text: 'see https://fuzz.example.com/x' })
      .expect(201)
  ).body.id;
  // The report is about the victim's message, so resolving it never silences a; c follows the
  // victim, so the victim's conversation with c is active and takes any number of messages.
  await http().put(`/v1/users/${victim.id}/follow`).set(c.auth).expect(204);
  ids.victimConv = (
    await http()
      .post('/v1/conversations')
      .set(victim.auth)
      .send({ participantIds: [c.id] })
      .expect(201)
  ).body.id;
  const victimConv = ids.victimConv;
  ids.victimMessage = (
    await http().post(`/v1/conversations/${victimConv}/messages`).set(victim.auth).send({ clientId: 'v', text: 'buy now' }).expect(201)
  ).body.id;
  ids.report = (
    await http().post('/v1/reports').set(c.auth).send({ subjectType: 'message', subjectId: ids.victimMessage, reason: 'spam' }).expect(201)
  ).body.id;
  ids.action = (
    await http().post(`/admin/v1/users/${victim.id}/actions`).set(staff.auth).send({ action: 'warn', note: 'seed' }).expect(200)
  ).body.action?.id;
  expect(ids.action).toEqual(expect.any(String));
  ids.appeal = (await http().post('/v1/appeals').set(victim.auth).send({ actionId: ids.action, text: 'not me' }).expect(201)).body.id;
  ids.blocklist = (
    await http()
      .post('/admin/v1/blocklist')
      .set(staff.auth)
      .send({ pattern: 'fuzz-bad.example', kind: 'domain', reason: 'seed' })
      .expect(201)
  ).body.id;
  ids.staff = (
    await http()
      .post('/admin/v1/staff')
      .set(staff.auth)
      .send({ email: 'fuzz@example.com', displayName: 'Fuzz', password: 'fuzz-password-1', role: 'triage' })
      .expect(201)
  ).body.id;
  // The seed message's link gets its row when the backlog scan has run (after the send, in a batch).
  ids.link = await until("the seed message's link in /admin/v1/links", async () => {
    const links = await http().get('/admin/v1/links').set(staff.auth).expect(200);
    return links.body[0]?.id as string | undefined;
  });
  const audit = await http().get('/admin/v1/audit-log').set(staff.auth).expect(200);
  ids.audit = audit.body[0].id;
  // The reporter's own chat with the reported user: a report with block: true only ever blocks in there.
  await http().put(`/v1/users/${reported.id}/follow`).set(reporter.auth).expect(204);
  const reportedConv = (
    await http()
      .post('/v1/conversations')
      .set(reported.auth)
      .send({ participantIds: [reporter.id] })
      .expect(201)
  ).body.id;
  ids.reportedMessage = (
    await http().post(`/v1/conversations/${reportedConv}/messages`).set(reported.auth).send({ clientId: 'r', text: 'rude' }).expect(201)
  ).body.id;
  ids.template = (
    await http().post('/admin/v1/templates').set(staff.auth).send({ name: 'fuzz template', body: 'Hi {{handle}}' }).expect(201)
  ).body.id;
  ids.rule = (await http().post('/admin/v1/rules').set(staff.auth).send(ruleBody('fuzz rule')).expect(201)).body.id;
  ids.policy = (await http().post('/admin/v1/policies').set(staff.auth).send(policyBody('fuzz_policy')).expect(201)).body.id;
  // Holds a direct message carrying HOLD_WORD: the held-messages queue gets a fresh message per request.
  await http()
    .post('/admin/v1/rules')
    .set(staff.auth)
    .send({
      name: 'fuzz hold',
      mode: 'live',
      kind: 'keyword',
      patterns: [HOLD_WORD],
      appliesTo: ['direct'],
      action: 'hold',
      reason: 'held',
    })
    .expect(201);
  await http().put('/platform/v1/users/fz-host').set(platform).send({ handle: 'fz_host', displayName: 'Fuzz host' }).expect(201);
  for (const k of ['link', 'audit', 'report', 'appeal', 'blocklist', 'staff']) expect([k, ids[k]]).toEqual([k, expect.any(String)]);
});
afterAll(async () => {
  await t?.close();
});

const HOLD_WORD = 'fuzzholdword';
/** A dry-run rule: whatever the fuzzer changes in it, it never blocks the fixture's own sends. */
const ruleBody = (name: string) => ({
  name,
  enabled: true,
  mode: 'dry_run',
  kind: 'regex',
  patterns: ['fuzz(x|y)+z'],
  appliesTo: ['direct', 'group'],
  action: 'flag',
  reason: 'fuzzed',
});

const HOSTILE_IDS = [
  'not-a-uuid',
  '%00',
  "1'%20OR%20'1'%3D'1",
  '..%2F..%2Fetc%2Fpasswd',
  'x'.repeat(300),
  '00000000-0000-7000-8000-000000000000',
  '%7B%22%24gt%22%3A%22%22%7D',
  '__proto__',
  'constructor',
  '-1',
  '1e999',
];
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
/** Hostile values for each query parameter a route documents (pass 1 sends only those, per route). */
const QUERY_VALUES = ['-1', '1.5', '99999999999999999999', '%00', 'z'.repeat(600), '__proto__', '2024-13-45%ED%A0%80'];
/** Hostile shapes of a documented parameter `p`, and hostile top-level keys next to them. */
const queryExtra = (p: string) => [
  `${p}[]=1`,
  `${p}=1&${p}=2`,
  `${p}[$gt]=`,
  `${p}[__proto__]=x`,
  `__proto__=x&${p}=1`,
  `constructor=x&${p}=1`,
];
const QUERY_KEYS_ANY_ROUTE = ['__proto__=x', 'constructor=x', '__proto__[x]=1', 'toString=1'];

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
  /** The query parameters the OpenAPI document lists for this route. */
  query: string[];
}

async function routes(): Promise<Route[]> {
  const doc = (await request(t.url).get('/docs-json')).body;
  const out: Route[] = [];
  for (const [path, ops] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      const ref = op.requestBody?.content?.['application/json']?.schema?.$ref as string | undefined;
      const schema = ref ? doc.components.schemas[ref.split('/').pop()!] : undefined;
      const query = (op.parameters ?? []).filter((x: any) => x.in === 'query').map((x: any) => x.name as string);
      out.push({ method, path, fields: Object.keys(schema?.properties ?? {}), query });
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
function call(
  method: string,
  path: string,
  auth: Record<string, string> | undefined,
  body?: string,
  query = '',
): Promise<request.Response> {
  let r = (request(t.url) as any)[method](path + (query ? `?${query}` : ''));
  if (auth) r = r.set(auth);
  return body === undefined ? r : r.set('Content-Type', 'application/json').send(body);
}

/** Runs the jobs `width` at a time and returns every broken answer (5xx, or a 4xx without the error shape). */
async function run(jobs: Job[], width = 16): Promise<string[]> {
  const broken: string[] = [];
  for (let i = 0; i < jobs.length; i += width) {
    const batch = jobs.slice(i, i + width);
    const results = await Promise.all(batch.map(([, go]) => go()));
    results.forEach((res, j) => {
      const b = brokenAnswer(batch[j][0], res);
      if (b) broken.push(b);
    });
  }
  return broken;
}

/** What is wrong with an answer (a 5xx, or a 4xx without the error shape), or null. */
function brokenAnswer(what: string, res: request.Response): string | null {
  const label = what.slice(0, 160);
  if (res.status >= 500) return `${label} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
  if (
    res.status >= 400 &&
    !(res.body?.statusCode === res.status && typeof res.body.code === 'string' && typeof res.body.message === 'string')
  ) {
    return `${label} → ${res.status} without the error shape: ${JSON.stringify(res.body).slice(0, 200)}`;
  }
  return null;
}

// logout takes the refresh token in its body (an expired access token must not stop a sign-out).
// Public by design: the web app's page and the AsyncAPI document (issue #17).
const PUBLIC = new Set([
  '/health',
  '/health/live',
  '/v1/auth/register',
  '/v1/auth/login',
  '/v1/auth/refresh',
  '/v1/auth/logout',
  '/admin/v1/auth/login',
  '/',
  '/asyncapi.json',
]);
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
      for (const body of HOSTILE_BODIES)
        jobs.push([`${route.method} ${path} body=${body.slice(0, 60)}`, () => call(route.method, path, auth, body)]);
      for (const field of route.fields) {
        for (const value of HOSTILE_VALUES)
          jobs.push([
            `${route.method} ${path} ${field}=${JSON.stringify(value).slice(0, 40)}`,
            () => call(route.method, path, auth, JSON.stringify({ [field]: value })),
          ]);
        jobs.push([
          `${route.method} ${path} ${field} + __proto__`,
          () => call(route.method, path, auth, `{"${field}": "x", "__proto__": {"${field}": "y"}}`),
        ]);
      }
    } else {
      for (const p of route.query) {
        for (const v of QUERY_VALUES)
          jobs.push([`${route.method} ${path}?${p}=${v}`, () => call(route.method, path, auth, undefined, `${p}=${v}`)]);
        for (const q of queryExtra(p)) jobs.push([`${route.method} ${path}?${q}`, () => call(route.method, path, auth, undefined, q)]);
      }
      for (const q of QUERY_KEYS_ANY_ROUTE) jobs.push([`${route.method} ${path}?${q}`, () => call(route.method, path, auth, undefined, q)]);
    }
  }
  expect(jobs.length).toBeGreaterThan(1500);
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
    if (crossed.status !== 401 || crossed.body?.statusCode !== 401)
      wrong.push(`${route.method} ${route.path} with the ${isAdmin(route.path) ? 'user' : 'staff'} token → ${crossed.status}`);
  }
  expect(wrong).toEqual([]);
});

type Params = Record<string, string>;
type Body = Record<string, unknown>;
/**
 * A valid request on a real resource. A base that changes what it acts on (decide an appeal,
 * resolve a report, delete a message, take a token…) has `fresh`: it makes new state for every
 * request sent, and its params and body replace the base's, so each changed request meets the
 * same state the unchanged one succeeded on.
 */
interface Base {
  method: string;
  path: string;
  params: Params;
  body: Body;
  auth: Record<string, string>;
  fresh?: () => Promise<{ params?: Params; body?: Body }>;
  /** Its fresh state is the victim's one open case, so its requests go one at a time. */
  serial?: true;
  /** More hostile values for some fields, beyond HOSTILE_VALUES. */
  extra?: Record<string, unknown[]>;
}

/** Hostile but well-formed query values: far dates, LIKE wildcards, numbers past every type. */
const HOSTILE_QUERY_VALUES = [
  '0000-01-01',
  '0000-01-01T00:00:00Z',
  '275760-09-14',
  '275760-09-13T00:00:00Z',
  '-271821-04-20',
  '%',
  '_',
  '%_%',
  '\\',
  '1e39',
  '-0',
  'NaN',
  'Infinity',
];
/** Regexes that are slow, invalid or huge, and pattern lists past any sane size. */
const HOSTILE_PATTERNS: unknown[] = [
  ['(a+)+$'],
  ['(a|aa)+b'],
  ['(?<=x)y'],
  ['(x)\\1'],
  ['['],
  ['\\'],
  ['(?P<n>x)'],
  ['\\p{L}+'],
  ['a{99999}'],
  ['(((((((((((x)))))))))))'],
  ['x'.repeat(200)],
  ['x'.repeat(201)],
  Array.from({ length: 500 }, (_, i) => `w${i}(x|y)+z`),
  Array.from({ length: 501 }, (_, i) => `w${i}`),
  [''],
  ['%'],
  ['_'],
  ['*'],
  ['**'],
  [null],
  [1],
  [{}],
];

/** A search cursor (base64url of `rank|id`) at a rank, and ranks past what a float holds. */
const searchCursor = (rank: string) => Buffer.from(`${rank}|${ids.message}`).toString('base64url');
/** Ranks a float4 cannot hold (over- or underflow): once a 500, now 400 like any bad cursor. */
const SEARCH_RANKS_OUT_OF_RANGE = ['1e39', '-1e39', '1e-50', '5e-324', '1.7976931348623157e308'];
const SEARCH_RANKS = [...SEARCH_RANKS_OUT_OF_RANGE, '0', '-0'];

const h = () => request(t.url);
let made = 0;
/** A name no other request of this run uses. */
const POLICY_SEVERITIES = [
  { key: 'low', strikes: 1, expiryDays: 30, suggestedAction: 'warn' },
  { key: 'high', strikes: 3, expiryDays: 90, suggestedAction: 'suspend' },
];
const policyBody = (key: string) => ({
  key,
  title: 'Fuzzed policy',
  description: 'A policy the fuzzer writes.',
  category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  severities: POLICY_SEVERITIES,
});
const next = () => `${Date.now().toString(36)}${(++made).toString(36)}`;

/** A message of the victim reported by c: a fresh open report (and the victim's open case). */
async function freshReport(): Promise<{ reportId: string; caseId: string }> {
  const msg = (
    await h().post(`/v1/conversations/${ids.victimConv}/messages`).set(victim.auth).send({ clientId: next(), text: 'buy now' }).expect(201)
  ).body.id;
  const reportId = (await h().post('/v1/reports').set(c.auth).send({ subjectType: 'message', subjectId: msg, reason: 'spam' }).expect(201))
    .body.id;
  const caseId = (await h().get(`/admin/v1/reports/${reportId}`).set(staff.auth).expect(200)).body.caseId;
  return { reportId, caseId };
}
async function freshAction(action: string): Promise<string> {
  return (
    await h().post(`/admin/v1/users/${punished.id}/actions`).set(staff.auth).send({ action, durationHours: 1, note: 'seed' }).expect(200)
  ).body.action.id;
}
async function freshLogin(): Promise<string> {
  return (await h().post('/v1/auth/login').send({ handle: refresher.handle, password: 'correct horse battery' }).expect(200)).body
    .refreshToken;
}
/** A conversation request from a new stranger to a: pending until a accepts or declines. */
async function freshRequest(): Promise<string> {
  const stranger = await registerUser(t.url);
  return (
    await h()
      .post('/v1/conversations')
      .set(stranger.auth)
      .send({ participantIds: [a.id] })
      .expect(201)
  ).body.id;
}

function validRequests(): Base[] {
  // One data export a day per user: each export request is sent as a new user.
  const exporter: Record<string, string> = {};
  const deleter: Record<string, string> = {};
  const limiter: Record<string, string> = {};
  const registered = async () => registerUser(t.url);
  return [
    // ---- accounts
    {
      method: 'post',
      path: '/v1/auth/register',
      params: {},
      body: { handle: 'x', displayName: 'Fuzz', password: 'a long password' },
      auth: {},
      fresh: async () => ({ body: { handle: uniqueHandle('fz') } }),
    },
    { method: 'post', path: '/v1/auth/login', params: {}, body: { handle: a.handle, password: 'correct horse battery' }, auth: {} },
    {
      method: 'post',
      path: '/v1/auth/refresh',
      params: {},
      body: { refreshToken: '' },
      auth: {},
      fresh: async () => ({ body: { refreshToken: await freshLogin() } }),
    },
    {
      method: 'post',
      path: '/v1/auth/logout',
      params: {},
      body: { refreshToken: '' },
      auth: {},
      fresh: async () => ({ body: { refreshToken: await freshLogin() } }),
    },
    { method: 'patch', path: '/v1/me/settings', params: {}, body: { allowIncoming: 'all' }, auth: a.auth },
    {
      method: 'post',
      path: '/v1/me/export',
      params: {},
      body: {},
      auth: exporter,
      fresh: async () => {
        Object.assign(exporter, (await registerUser(t.url)).auth);
        return {};
      },
    },
    // v1.2: account deletion, Limits, staff DM tools, trusted flaggers, reporting suspensions, legal holds.
    {
      method: 'delete',
      path: '/v1/me',
      params: {},
      body: { password: 'correct horse battery' },
      auth: deleter,
      fresh: async () => {
        Object.assign(deleter, (await registered()).auth);
        return {};
      },
    },
    {
      method: 'put',
      path: '/v1/me/limits',
      params: {},
      body: { from: 'non_followers', until: new Date(Date.now() + 7 * 86_400_000).toISOString() },
      auth: limiter,
      // Someone of their own: Limits on c (a group member elsewhere) would refuse later adds.
      fresh: async () => {
        if (!limiter.Authorization) Object.assign(limiter, (await registered()).auth);
        return {};
      },
    },
    {
      method: 'delete',
      path: '/v1/me/limits',
      params: {},
      body: {},
      auth: limiter,
      fresh: async () => {
        if (!limiter.Authorization) Object.assign(limiter, (await registered()).auth);
        return {};
      },
    },
    {
      method: 'put',
      path: '/admin/v1/trusted-flaggers/{userId}',
      params: { userId: c.id },
      body: { name: 'Fuzz flaggers' },
      auth: staff.auth,
    },
    {
      method: 'delete',
      path: '/admin/v1/trusted-flaggers/{userId}',
      params: { userId: '' },
      body: {},
      auth: staff.auth,
      fresh: async () => {
        const u = await registered();
        await h().put(`/admin/v1/trusted-flaggers/${u.id}`).set(staff.auth).send({ name: 'To remove' }).expect(200);
        return { params: { userId: u.id } };
      },
    },
    {
      method: 'post',
      path: '/admin/v1/users/{id}/reporting-suspension',
      params: { id: '' },
      body: { days: 7, note: 'keeps filing unfounded reports', policy: 'unfounded_reports', severity: 'low' },
      auth: staff.auth,
      fresh: async () => {
        const u = await registered();
        await h()
          .post(`/admin/v1/users/${u.id}/actions`)
          .set(staff.auth)
          .send({ action: 'warn', note: 'unfounded reports', policy: 'unfounded_reports' })
          .expect(200);
        return { params: { id: u.id } };
      },
    },
    { method: 'put', path: '/admin/v1/users/{id}/legal-hold', params: { id: victim.id }, body: { note: 'litigation' }, auth: staff.auth },
    { method: 'delete', path: '/admin/v1/users/{id}/legal-hold', params: { id: victim.id }, body: { note: 'over' }, auth: staff.auth },
    { method: 'put', path: '/admin/v1/users/{id}/dm-access', params: { id: punished.id }, body: { note: 'spam wave' }, auth: staff.auth },
    { method: 'delete', path: '/admin/v1/users/{id}/dm-access', params: { id: punished.id }, body: { note: 'over' }, auth: staff.auth },
    {
      method: 'post',
      path: '/admin/v1/conversations/{id}/lock',
      params: { id: ids.victimConv },
      body: { note: 'pile-on' },
      auth: staff.auth,
    },
    {
      method: 'delete',
      path: '/admin/v1/conversations/{id}/lock',
      params: { id: ids.victimConv },
      body: { note: 'over' },
      auth: staff.auth,
    },
    ...(['release', 'decline'] as const).map((verb) => ({
      method: 'post',
      path: `/admin/v1/spam-requests/{id}/${verb}`,
      params: { id: '' },
      body: {},
      auth: staff.auth,
      // A sender with a request held for review (as a fan-out burst leaves it; FANOUT_REQUESTS is
      // off in this run, so the state is set directly).
      fresh: async () => {
        const [sender, stranger] = await Promise.all([registered(), registered()]);
        const conv = (
          await h()
            .post('/v1/conversations')
            .set(sender.auth)
            .send({ participantIds: [stranger.id] })
            .expect(201)
        ).body.id;
        await t.app
          .get(Db)
          .query(`UPDATE conversation_member SET state = 'held' WHERE conversation_id = $1 AND user_id = $2`, [conv, stranger.id]);
        return { params: { id: sender.id } };
      },
    })),
    {
      method: 'delete',
      path: '/platform/v1/users/{externalId}',
      params: { externalId: '' },
      body: {},
      auth: platform,
      fresh: async () => {
        const externalId = `fz-del-${next()}`;
        await h()
          .put(`/platform/v1/users/${externalId}`)
          .set(platform)
          .send({ handle: `fzd_${next()}`.slice(0, 30), displayName: 'To delete' })
          .expect(201);
        return { params: { externalId } };
      },
    },
    {
      method: 'put',
      path: '/v1/me/hidden-words',
      params: {},
      body: { words: ['spoiler', 'go away'], useDefaultList: true },
      auth: target.auth,
      extra: { words: [Array.from({ length: 201 }, (_, i) => `w${i}`), ['%'], ['_'], ['x'.repeat(51)], [''], ['a', 'a']] },
    },
    { method: 'get', path: '/v1/users', params: {}, body: { handle: b.handle }, auth: a.auth, extra: { handle: HOSTILE_QUERY_VALUES } },
    ...['put', 'delete'].flatMap((method) =>
      ['follow', 'block', 'restrict'].map((what) => ({
        method,
        path: `/v1/users/{id}/${what}`,
        params: { id: target.id },
        body: {},
        auth: a.auth,
      })),
    ),
    // ---- conversations and messages
    {
      method: 'post',
      path: '/v1/conversations',
      params: {},
      body: { participantIds: [b.id, c.id], title: 'fuzzed', roomId: ids.room },
      auth: a.auth,
    },
    {
      method: 'post',
      path: '/v1/conversations/{id}/accept',
      params: { id: '' },
      body: {},
      auth: a.auth,
      fresh: async () => ({ params: { id: await freshRequest() } }),
    },
    {
      method: 'post',
      path: '/v1/conversations/{id}/decline',
      params: { id: '' },
      body: {},
      auth: a.auth,
      fresh: async () => ({ params: { id: await freshRequest() } }),
    },
    { method: 'post', path: '/v1/requests/decline-all', params: {}, body: { senderId: target.id }, auth: a.auth },
    { method: 'post', path: '/v1/conversations/{id}/members', params: { id: ids.group }, body: { userIds: [c.id] }, auth: a.auth },
    {
      method: 'delete',
      path: '/v1/conversations/{id}/members/me',
      params: { id: '' },
      body: {},
      auth: c.auth,
      fresh: async () => ({
        params: {
          id: (
            await h()
              .post('/v1/conversations')
              .set(a.auth)
              .send({ participantIds: [b.id, c.id], title: 'to leave' })
              .expect(201)
          ).body.id,
        },
      }),
    },
    { method: 'post', path: '/v1/conversations/{id}/read', params: { id: ids.direct }, body: { seq: 1 }, auth: b.auth },
    {
      method: 'post',
      path: '/v1/conversations/{id}/messages',
      params: { id: ids.direct },
      body: { clientId: 'fz', text: 'hello https://example.com/', replyTo: 1 },
      auth: a.auth,
      fresh: async () => ({ body: { clientId: next() } }),
    },
    {
      method: 'patch',
      path: '/v1/conversations/{id}/messages/{messageId}',
      params: { id: ids.direct, messageId: ids.message },
      body: { text: 'edited by the fuzzer https://example.com/e' },
      auth: a.auth,
    },
    {
      method: 'put',
      path: '/v1/conversations/{id}/messages/{messageId}/reactions/{emoji}',
      params: { id: ids.direct, messageId: ids.message, emoji: encodeURIComponent('👍🏽') },
      body: {},
      auth: b.auth,
    },
    {
      method: 'delete',
      path: '/v1/conversations/{id}/messages/{messageId}/reactions/{emoji}',
      params: { id: ids.direct, messageId: ids.message, emoji: encodeURIComponent('👍🏽') },
      body: {},
      auth: b.auth,
    },
    {
      method: 'delete',
      path: '/v1/conversations/{id}/messages/{messageId}',
      params: { id: ids.direct, messageId: '' },
      body: {},
      auth: a.auth,
      fresh: async () => ({
        params: {
          messageId: (
            await h().post(`/v1/conversations/${ids.direct}/messages`).set(a.auth).send({ clientId: next(), text: 'to delete' }).expect(201)
          ).body.id,
        },
      }),
    },
    {
      method: 'get',
      path: '/v1/search',
      params: {},
      body: { q: 'fuzz example', conversationId: ids.direct, limit: '10', cursor: searchCursor('0.5') },
      auth: a.auth,
      extra: { q: HOSTILE_QUERY_VALUES, cursor: SEARCH_RANKS.map(searchCursor) },
    },
    {
      method: 'get',
      path: '/v1/conversations/{id}/messages',
      params: { id: ids.direct },
      body: { afterSeq: '0', limit: '10' },
      auth: a.auth,
    },
    {
      method: 'get',
      path: '/v1/conversations/{id}/messages',
      params: { id: ids.direct },
      body: { beforeSeq: '2', limit: '10' },
      auth: a.auth,
    },
    { method: 'get', path: '/v1/conversations', params: {}, body: { folder: 'inbox', limit: '10' }, auth: a.auth },
    { method: 'get', path: '/v1/sync', params: {}, body: { cursor: '0', limit: '10' }, auth: a.auth },
    { method: 'get', path: '/v1/notices', params: {}, body: { limit: '10' }, auth: a.auth },
    // ---- rooms
    { method: 'post', path: '/v1/rooms', params: {}, body: { title: 'fuzzed room' }, auth: a.auth },
    {
      method: 'post',
      path: '/v1/rooms/{id}/join',
      params: { id: '' },
      body: {},
      auth: c.auth,
      fresh: async () => ({ params: { id: (await h().post('/v1/rooms').set(a.auth).send({ title: 'to join' }).expect(201)).body.id } }),
    },
    {
      method: 'post',
      path: '/v1/rooms/{id}/leave',
      params: { id: '' },
      body: {},
      auth: c.auth,
      fresh: async () => {
        const id = (await h().post('/v1/rooms').set(a.auth).send({ title: 'to leave' }).expect(201)).body.id;
        await h()
          .post(`/v1/rooms/${id}/join`)
          .set(c.auth)
          .expect((r) => expect(r.status).toBeLessThan(300));
        return { params: { id } };
      },
    },
    {
      method: 'post',
      path: '/v1/rooms/{id}/start',
      params: { id: '' },
      body: {},
      auth: a.auth,
      fresh: async () => ({
        params: {
          id: (
            await h()
              .post('/v1/rooms')
              .set(a.auth)
              .send({ title: 'to start', startsAt: new Date(Date.now() + 86_400_000).toISOString() })
              .expect(201)
          ).body.id,
        },
      }),
    },
    {
      method: 'post',
      path: '/v1/rooms/{id}/end',
      params: { id: '' },
      body: {},
      auth: a.auth,
      fresh: async () => ({ params: { id: (await h().post('/v1/rooms').set(a.auth).send({ title: 'to end' }).expect(201)).body.id } }),
    },
    {
      method: 'put',
      path: '/v1/rooms/{id}/members/{userId}/role',
      params: { id: ids.room, userId: b.id },
      body: { role: 'speaker' },
      auth: a.auth,
    },
    { method: 'post', path: '/v1/rooms/{id}/questions', params: { id: ids.room }, body: { text: 'a question' }, auth: b.auth },
    {
      method: 'patch',
      path: '/v1/rooms/{id}/questions/{qid}',
      params: { id: ids.room, qid: ids.question },
      body: { status: 'pinned' },
      auth: a.auth,
    },
    { method: 'post', path: '/v1/rooms/{id}/questions/{qid}/upvote', params: { id: ids.room, qid: ids.question }, body: {}, auth: a.auth },
    // ---- end-user safety
    {
      method: 'post',
      path: '/v1/reports',
      params: {},
      body: { subjectType: 'message', subjectId: ids.reportedMessage, reason: 'spam', note: 'n', block: false },
      auth: reporter.auth,
    },
    {
      method: 'post',
      path: '/v1/appeals',
      params: {},
      body: { actionId: '', text: 'please' },
      auth: punished.auth,
      fresh: async () => ({ body: { actionId: await freshAction('warn') } }),
    },
    {
      method: 'post',
      path: '/v1/notices/{id}/reply',
      params: { id: '' },
      body: { text: 'my answer' },
      auth: victim.auth,
      serial: true,
      fresh: async () => {
        const { caseId } = await freshReport();
        const sent = await h()
          .post(`/admin/v1/cases/${caseId}/messages`)
          .set(staff.auth)
          .send({ recipientId: victim.id, text: 'tell us more' })
          .expect(201);
        return { params: { id: sent.body.noticeId } };
      },
    },
    // ---- staff: reports, cases, actions, appeals
    {
      method: 'post',
      path: '/admin/v1/auth/login',
      params: {},
      body: { email: 'admin@example.com', password: 'admin-password-1' },
      auth: {},
    },
    {
      method: 'post',
      path: '/admin/v1/reports/{id}/claim',
      params: { id: '' },
      body: {},
      auth: staff.auth,
      fresh: async () => ({ params: { id: (await freshReport()).reportId } }),
    },
    {
      method: 'post',
      path: '/admin/v1/reports/{id}/escalate',
      params: { id: '' },
      body: { note: 'look' },
      auth: staff.auth,
      fresh: async () => ({ params: { id: (await freshReport()).reportId } }),
    },
    {
      method: 'post',
      path: '/admin/v1/reports/{id}/resolve',
      params: { id: '' },
      body: { action: 'dismiss', note: 'n' },
      auth: staff.auth,
      fresh: async () => ({ params: { id: (await freshReport()).reportId } }),
    },
    {
      method: 'post',
      path: '/admin/v1/reports/bulk-resolve',
      params: {},
      body: { action: 'dismiss', note: 'n', ids: [] },
      auth: staff.auth,
      fresh: async () => ({ body: { ids: [(await freshReport()).reportId] } }),
    },
    {
      method: 'post',
      path: '/admin/v1/cases/{id}/claim',
      params: { id: '' },
      serial: true,
      body: {},
      auth: staff.auth,
      fresh: async () => ({ params: { id: (await freshReport()).caseId } }),
    },
    {
      method: 'post',
      path: '/admin/v1/cases/{id}/assign',
      params: { id: '' },
      serial: true,
      body: { assigneeId: staff.staff.id },
      auth: staff.auth,
      fresh: async () => ({ params: { id: (await freshReport()).caseId } }),
    },
    {
      method: 'post',
      path: '/admin/v1/cases/{id}/resolve',
      params: { id: '' },
      serial: true,
      body: { action: 'dismiss', note: 'n' },
      auth: staff.auth,
      fresh: async () => ({ params: { id: (await freshReport()).caseId } }),
    },
    {
      method: 'post',
      path: '/admin/v1/reports/{id}/statement-preview',
      params: { id: '' },
      body: { action: 'warn', note: 'n' },
      auth: staff.auth,
      fresh: async () => ({ params: { id: (await freshReport()).reportId } }),
    },
    {
      method: 'post',
      path: '/admin/v1/cases/{id}/statement-preview',
      params: { id: '' },
      body: { action: 'warn', note: 'n' },
      auth: staff.auth,
      fresh: async () => ({ params: { id: (await freshReport()).caseId } }),
    },
    {
      method: 'post',
      path: '/admin/v1/cases/{id}/messages',
      params: { id: '' },
      serial: true,
      body: { recipientId: victim.id, text: 'tell us more' },
      auth: staff.auth,
      fresh: async () => ({ params: { id: (await freshReport()).caseId } }),
    },
    {
      method: 'post',
      path: '/admin/v1/users/{id}/actions',
      params: { id: punished.id },
      body: { action: 'restrict_messaging', durationHours: 1, note: 'n' },
      auth: staff.auth,
    },
    {
      method: 'put',
      path: '/admin/v1/users/{id}/reporter',
      params: { id: c.id },
      body: { trustedFlagger: false, muted: false },
      auth: staff.auth,
    },
    {
      method: 'post',
      path: '/admin/v1/actions/{id}/lift',
      params: { id: '' },
      body: { note: 'n' },
      auth: staff.auth,
      fresh: async () => ({ params: { id: await freshAction('restrict_messaging') } }),
    },
    {
      method: 'post',
      path: '/admin/v1/appeals/{id}/decide',
      params: { id: '' },
      body: { decision: 'denied', note: 'n' },
      auth: staff.auth,
      fresh: async () => ({
        params: {
          id: (
            await h()
              .post('/v1/appeals')
              .set(punished.auth)
              .send({ actionId: await freshAction('warn'), text: 'not me' })
              .expect(201)
          ).body.id,
        },
      }),
    },
    // ---- staff: templates, rules, held messages
    // Names need not be unique: creating the same template or rule again is valid.
    {
      method: 'post',
      path: '/admin/v1/templates',
      params: {},
      body: { name: 'fuzzed template', body: 'Hi {{handle}}, {{action}}' },
      auth: staff.auth,
    },
    {
      method: 'put',
      path: '/admin/v1/templates/{id}',
      params: { id: ids.template },
      body: { name: 'fuzz template', body: 'Hi {{handle}}' },
      auth: staff.auth,
    },
    {
      method: 'delete',
      path: '/admin/v1/templates/{id}',
      params: { id: '' },
      body: {},
      auth: staff.auth,
      fresh: async () => ({
        params: {
          id: (
            await h()
              .post('/admin/v1/templates')
              .set(staff.auth)
              .send({ name: `d ${next()}`, body: 'x' })
              .expect(201)
          ).body.id,
        },
      }),
    },
    // ---- staff: policies (a key is unique, so each create names a fresh one)
    {
      method: 'post',
      path: '/admin/v1/policies',
      params: {},
      body: policyBody('fuzzed_policy'),
      auth: staff.auth,
      fresh: async () => ({ body: { key: `fz_${next()}` } }),
    },
    {
      method: 'put',
      path: '/admin/v1/policies/{id}',
      params: { id: ids.policy },
      body: { title: 'Fuzz policy', description: 'Edited.', category: 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD', severities: POLICY_SEVERITIES },
      auth: staff.auth,
    },
    {
      method: 'delete',
      path: '/admin/v1/policies/{id}',
      params: { id: '' },
      body: {},
      auth: staff.auth,
      fresh: async () => ({
        params: {
          id: (
            await h()
              .post('/admin/v1/policies')
              .set(staff.auth)
              .send(policyBody(`fd_${next()}`))
              .expect(201)
          ).body.id,
        },
      }),
    },
    {
      method: 'post',
      path: '/admin/v1/rules',
      params: {},
      body: ruleBody('fuzzed rule'),
      auth: staff.auth,
      extra: { patterns: HOSTILE_PATTERNS },
    },
    {
      method: 'put',
      path: '/admin/v1/rules/{id}',
      params: { id: ids.rule },
      body: ruleBody('fuzz rule'),
      auth: staff.auth,
      extra: { patterns: HOSTILE_PATTERNS },
    },
    {
      method: 'post',
      path: '/admin/v1/rules/test',
      params: {},
      body: { text: 'get fuzzxz now', kind: 'regex', patterns: ['fuzz(x|y)+z'] },
      auth: staff.auth,
      extra: { patterns: HOSTILE_PATTERNS, text: ['a'.repeat(4000), 'a'.repeat(4001)] },
    },
    {
      method: 'delete',
      path: '/admin/v1/rules/{id}',
      params: { id: '' },
      body: {},
      auth: staff.auth,
      fresh: async () => ({
        params: {
          id: (
            await h()
              .post('/admin/v1/rules')
              .set(staff.auth)
              .send(ruleBody(`d ${next()}`))
              .expect(201)
          ).body.id,
        },
      }),
    },
    ...['approve', 'reject'].map((decision) => ({
      method: 'post',
      path: `/admin/v1/held-messages/{id}/${decision}`,
      params: { id: '' },
      body: decision === 'reject' ? { note: 'n' } : {},
      auth: staff.auth,
      fresh: async () => {
        const sent = await h()
          .post(`/v1/conversations/${ids.direct}/messages`)
          .set(a.auth)
          .send({ clientId: next(), text: `psst ${HOLD_WORD}` })
          .expect(201);
        expect(sent.body.state).toBe('held');
        return { params: { id: sent.body.id } };
      },
    })),
    {
      method: 'get',
      path: '/admin/v1/transparency',
      params: {},
      body: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
      auth: staff.auth,
      extra: { from: HOSTILE_QUERY_VALUES, to: HOSTILE_QUERY_VALUES },
    },
    {
      method: 'get',
      path: '/admin/v1/transparency/daily',
      params: {},
      body: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
      auth: staff.auth,
      extra: { from: HOSTILE_QUERY_VALUES, to: HOSTILE_QUERY_VALUES },
    },
    // ---- staff: links, blocklist, staff accounts
    { method: 'put', path: '/admin/v1/links/{id}', params: { id: ids.link }, body: { verdict: 'safe', reason: 'r' }, auth: staff.auth },
    {
      method: 'post',
      path: '/admin/v1/blocklist',
      params: {},
      body: { pattern: '', kind: 'domain', reason: 'r' },
      auth: staff.auth,
      fresh: async () => ({ body: { pattern: `b${next()}.example` } }),
    },
    {
      method: 'delete',
      path: '/admin/v1/blocklist/{id}',
      params: { id: '' },
      body: {},
      auth: staff.auth,
      fresh: async () => ({
        params: {
          id: (
            await h()
              .post('/admin/v1/blocklist')
              .set(staff.auth)
              .send({ pattern: `d${next()}.example`, kind: 'domain', reason: 'r' })
              .expect(201)
          ).body.id,
        },
      }),
    },
    {
      method: 'get',
      path: '/admin/v1/blocklist/preview',
      params: {},
      body: { kind: 'domain', pattern: 'fuzz.example.com' },
      auth: staff.auth,
      extra: { pattern: HOSTILE_QUERY_VALUES },
    },
    {
      method: 'post',
      path: '/admin/v1/staff',
      params: {},
      body: { email: '', displayName: 'F', password: 'fuzz-password-2', role: 'triage' },
      auth: staff.auth,
      fresh: async () => ({ body: { email: `s${next()}@example.com` } }),
    },
    {
      method: 'patch',
      path: '/admin/v1/staff/{id}',
      params: { id: ids.staff },
      body: { displayName: 'F', role: 'triage', disabled: false },
      auth: staff.auth,
    },
    {
      method: 'put',
      path: '/admin/v1/staff/{id}',
      params: { id: ids.staff },
      body: { email: 'fuzz@example.com', displayName: 'F', password: 'fuzz-password-3', role: 'triage', disabled: false },
      auth: staff.auth,
    },
    // ---- platform
    {
      method: 'put',
      path: '/platform/v1/users/{externalId}',
      params: { externalId: 'fz-user' },
      body: { handle: 'fz_user', displayName: 'Fz' },
      auth: platform,
    },
    { method: 'post', path: '/platform/v1/users/{externalId}/tokens', params: { externalId: 'fz-host' }, body: {}, auth: platform },
    {
      method: 'put',
      path: '/platform/v1/rooms/{externalId}',
      params: { externalId: 'fz-room' },
      body: { title: 'Fuzz room', status: 'live', members: [{ userExternalId: 'fz-host', role: 'host' }] },
      auth: platform,
    },
  ];
}

it('every valid base request of pass 2 succeeds unchanged, and every write route of the document has one', async () => {
  const documented = (await routes()).map((r) => `${r.method} ${r.path}`);
  const bases = validRequests();
  const covered = new Set(bases.map((v) => `${v.method} ${v.path}`));
  // Every route that changes something has a valid base request (GETs are pass 1's and pass 3's).
  expect(documented.filter((r) => !r.startsWith('get ') && !covered.has(r))).toEqual([]);
  const failed: string[] = [];
  for (const v of bases) {
    const res = await sendBase(v, v.fresh ? await v.fresh() : {});
    if (res.status >= 300) failed.push(`${v.method} ${v.path} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
  }
  expect(failed).toEqual([]);
}, 120_000);

type State = { params?: Params; body?: Body };
/** One changed request of a base: how the body changes, which path parameters change, or the raw body text. */
interface Change {
  what: string;
  body?: (body: Body) => Body;
  params?: Params;
  raw?: (body: Body) => string;
}

/** Sends base `v` on `state` (its fresh params and body) with one change. */
function sendBase(v: Base, state: State, change: Change = { what: 'unchanged' }): Promise<request.Response> {
  const params = { ...v.params, ...state.params, ...change.params };
  const body = { ...v.body, ...state.body };
  const path = v.path.replace(/\{([^}]+)\}/g, (_, k) => params[k]);
  if (change.raw) return call(v.method, path, v.auth, change.raw(body));
  const changed = change.body ? change.body(body) : body;
  if (v.method !== 'get')
    return call(v.method, path, v.auth, v.method === 'delete' && Object.keys(changed).length === 0 ? undefined : JSON.stringify(changed));
  const qs = Object.entries(changed)
    .map(([k, x]) => `${encodeURIComponent(k)}=${encodeQueryValue(typeof x === 'string' ? x : JSON.stringify(x))}`)
    .join('&');
  return call(v.method, path, v.auth, undefined, qs);
}

/** Every change pass 2 makes to a base: each field hostile or missing, hostile keys, each path parameter hostile. */
function changesOf(v: Base): Change[] {
  const out: Change[] = [];
  for (const field of Object.keys(v.body)) {
    for (const value of [...HOSTILE_VALUES, ...(v.extra?.[field] ?? [])])
      out.push({ what: `${field}=${JSON.stringify(value).slice(0, 40)}`, body: (body) => ({ ...body, [field]: value }) });
    out.push({ what: `without ${field}`, body: ({ [field]: _dropped, ...rest }) => rest });
  }
  for (const key of ['__proto__', 'constructor', 'toString']) {
    if (v.method === 'get') out.push({ what: `?${key}=x`, body: (body) => ({ ...body, [key]: 'x' }) });
    else
      out.push({
        what: `+ ${key}`,
        raw: (body) => JSON.stringify(body).replace(/^\{/, `{"${key}": {"admin": true, "role": "admin"},`).replace(/,\}$/, '}'),
      });
  }
  for (const param of Object.keys(v.params)) for (const id of HOSTILE_IDS) out.push({ what: `${param}=${id}`, params: { [param]: id } });
  return out;
}

/**
 * The changed requests of a base with fresh state, one at a time: each meets state on which
 * the unchanged base succeeds, renewed after any request that succeeded (and so may have
 * used it up: decided the appeal, resolved the report, took the token).
 */
async function chain(v: Base, changes: Change[]): Promise<Array<[string, request.Response]>> {
  const out: Array<[string, request.Response]> = [];
  let state: State | null = null;
  for (const change of changes) {
    state ??= await v.fresh!();
    const res = await sendBase(v, state, change);
    out.push([`${v.method} ${v.path} ${change.what}`, res]);
    if (res.status < 300) state = null;
  }
  return out;
}

it('a valid request on a real resource, changed one field or one path parameter at a time, is never a 5xx', async () => {
  const documented = new Set((await routes()).map((r) => `${r.method} ${r.path}`));
  const bases = validRequests();
  for (const v of bases) {
    // The table describes real routes: a renamed route must be renamed here too.
    expect([v.method, v.path, documented.has(`${v.method} ${v.path}`)]).toEqual([v.method, v.path, true]);
  }
  // Bases on fixed resources: every changed request at once, 16 at a time.
  const fixed: Job[] = bases
    .filter((v) => !v.fresh)
    .flatMap((v) => changesOf(v).map((c): Job => [`${v.method} ${v.path} ${c.what}`, () => sendBase(v, {}, c)]));
  const broken = await run(fixed);
  // Bases on fresh state: one chain per base, the chains side by side; the case chains (all on
  // the victim's one open case) one after another.
  const answers: Array<[string, request.Response]> = [];
  const parallel = bases.filter((v) => v.fresh && !v.serial);
  for (let i = 0; i < parallel.length; i += 16)
    answers.push(...(await Promise.all(parallel.slice(i, i + 16).map((v) => chain(v, changesOf(v))))).flat());
  for (const v of bases.filter((x) => x.serial)) answers.push(...(await chain(v, changesOf(v))));
  broken.push(...answers.map(([what, res]) => brokenAnswer(what, res)).filter((b): b is string => b !== null));
  expect(fixed.length + answers.length).toBeGreaterThan(2000);
  expect(broken).toEqual([]);
  expect((await request(t.url).get('/health')).status).toBe(200);
}, 600_000);

it('staff lists answer hostile sort, range and filter (valid JSON, hostile keys and numbers) with 400 invalid_request or 200, never a 5xx', async () => {
  const lists = (await routes()).filter(
    (r) => r.method === 'get' && isAdmin(r.path) && !r.path.includes('{') && !r.path.includes('/preview') && r.path !== '/admin/v1/stats',
  );
  expect(lists.length).toBeGreaterThanOrEqual(8);
  const jobs: Job[] = [];
  for (const route of lists) {
    for (const q of STAFF_LIST_QUERIES)
      jobs.push([`GET ${route.path}?${decodeURIComponent(q)}`, () => call('get', route.path, staff.auth, undefined, q)]);
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
    const out: unknown[] = [
      undefined,
      null,
      42,
      'just a string',
      [],
      [base],
      JSON.parse('{"__proto__": {"conversationId": "x"}}'),
      JSON.parse('{"constructor": {"prototype": {"x": 1}}}'),
      { toString: 'x' },
    ];
    for (const field of Object.keys(base)) {
      for (const value of HOSTILE_VALUES) out.push({ ...base, [field]: value });
      out.push(JSON.parse(JSON.stringify(base).replace(/^\{/, `{"__proto__": {"${field}": "polluted"},`)));
    }
    return out;
  };

  it('message.send acks {message} or {error: {code, message}} for every hostile payload, and the socket stays up', async () => {
    // The base payload is accepted, so each changed field is what the server judges.
    expect(
      (await emitAck(socket, 'message.send', { conversationId: ids.direct, clientId: 'sock-base', text: 'hi' })).message,
    ).toMatchObject({ clientId: 'sock-base' });
    const bad: string[] = [];
    let n = 0;
    for (const p of payloads({ conversationId: ids.direct, clientId: 'sock', text: 'hi' })) {
      const ack = await emitAck(
        socket,
        'message.send',
        typeof p === 'object' && p && 'clientId' in p ? { ...(p as object), clientId: `sock-${n++}` } : p,
      );
      const ok =
        (ack && typeof ack.message?.id === 'string') ||
        (ack && typeof ack.error?.code === 'string' && typeof ack.error?.message === 'string');
      if (!ok || ack.error?.code === 'internal_error')
        bad.push(`${JSON.stringify(p)?.slice(0, 80)} → ${JSON.stringify(ack).slice(0, 160)}`);
    }
    expect(bad).toEqual([]);
    expect(socket.connected).toBe(true);
  });

  it('typing acks {relayed} or {error: {code, message}} for every hostile payload, and the socket stays up', async () => {
    expect(await emitAck(socket, 'typing', { conversationId: ids.direct })).toEqual({ relayed: expect.any(Boolean) });
    const bad: string[] = [];
    for (const p of payloads({ conversationId: ids.direct })) {
      const ack = await emitAck(socket, 'typing', p);
      const ok =
        (ack && typeof ack.relayed === 'boolean') || (ack && typeof ack.error?.code === 'string' && typeof ack.error?.message === 'string');
      if (!ok || ack.error?.code === 'internal_error')
        bad.push(`${JSON.stringify(p)?.slice(0, 80)} → ${JSON.stringify(ack).slice(0, 160)}`);
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
