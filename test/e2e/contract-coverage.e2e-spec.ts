import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import request from 'supertest';
import * as ts from 'typescript';
import { startTestApp, type TestApp } from '../support/app';
import { documentedCodes, expectContract, expectError, normaliseRoute, operationOf } from '../support/contract';

/**
 * The client contract is kept inside the repository, at docs/contract/API.md (a copy of the
 * shared ../shared/API.md; docs/API.md is our own client guide, a different document).
 * Every route written there:
 * - is served and documented: it appears in the running server's OpenAPI document;
 * - has at least one test asserting its response shape against that document
 *   (`expectContract(res, 'METHOD /path', status)`, test/support/contract.ts), and at least
 *   one asserting one of its documented error codes (`expectError(res, 'METHOD /path',
 *   status, 'code')`): a code of its own where the route documents one, not merely the
 *   401 every signed-in route shares.
 * The calls are found in the test sources (jest runs files in parallel and in any order,
 * so what other files did at run time cannot be known from here); the calls do the
 * checking themselves when they run. The route list is parsed out of API.md, so a route
 * added to the contract is checked without touching this file.
 *
 * NOT_YET_BUILT names the contract routes that later issues will build (route → issue).
 * It can only shrink: a route listed here that the server now documents fails the test too,
 * so the map never hides a built route (delete its line when you build it).
 */
const NOT_YET_BUILT: Record<string, string> = {
  // v1.2 (API.md "v1.2 additions").
};

const METHOD = '(?:GET|POST|PUT|PATCH|DELETE)';
const ROOT = join(__dirname, '..', '..');

/** The contract the tests check: the copy kept in the repository. */
export function contractPath(): string {
  return join(ROOT, 'docs', 'contract', 'API.md');
}

/** The shared contract beside the repository (../shared/API.md, or API_CONTRACT_PATH), when there is one. */
function sharedContractPath(): string | undefined {
  return [process.env.API_CONTRACT_PATH, join(ROOT, '..', 'shared', 'API.md')].find((p): p is string => !!p && existsSync(p));
}

/**
 * Every route the contract names, as "METHOD /path/{}" (path parameters normalised to {};
 * query strings dropped):
 * - `METHOD /path` anywhere; "PUT / DELETE /x" gives both methods;
 * - `…/last` right after such a route: the same method on that path with its last segment
 *   replaced (held messages' approve / reject);
 * - a staff resource named by its bare path (`/admin/v1/rules`) or in the "Resources at
 *   least:" list: react-admin reads it with GET /admin/v1/<resource>.
 */
export function contractRoutes(markdown: string): string[] {
  const out = new Set<string>();
  const re = new RegExp(
    `\\b((?:${METHOD}\\s*/\\s*)*)(${METHOD})\\s+(/[A-Za-z0-9_\\-/:.{}]*)((?:(?:(?!GET|POST|PUT|PATCH|DELETE)[\\s\\S]){0,80}?\\u2026(/[a-z-]+))?)`,
    'g',
  );
  for (const m of markdown.replace(/`/g, '').matchAll(re)) {
    const methods = [...m[1].matchAll(new RegExp(METHOD, 'g'))].map((x) => x[0]).concat(m[2]);
    const path = normalise(m[3].replace(/\.$/, ''));
    for (const method of methods) out.add(`${method} ${path}`);
    if (m[5]) out.add(`${m[2]} ${path.replace(/\/[^/]+$/, m[5])}`);
  }
  for (const m of markdown.matchAll(/`(\/admin\/v1\/[a-z-]+)`/g)) out.add(`GET ${m[1]}`);
  const resources = /Resources at least:([^\n]*(?:\n {2,}[^\n]*)*)/.exec(markdown)?.[1].split('. ')[0] ?? '';
  for (const m of resources.matchAll(/`([a-z-]+)`/g)) out.add(`GET /admin/v1/${m[1]}`);
  return [...out].sort();
}

const normalise = (path: string) =>
  path
    .replace(/:[A-Za-z]\w*/g, '{}')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/(.)\/$/, '$1');

/** One literal `expectContract(res, 'ROUTE', status)` or `expectError(res, 'ROUTE', status, 'code')` in a test source. */
export interface ContractCall {
  helper: 'expectContract' | 'expectError';
  route: string;
  status: number | undefined;
  code: string | undefined;
  /** Awaited (or returned): an un-awaited call's failure would be lost. */
  awaited: boolean;
  where: string;
}

/** Every test source under test/, but the helpers' own file and this one (whose calls test the helpers, some of them wrong on purpose). */
function testSources(dir = join(ROOT, 'test')): string[] {
  const skip = new Set([join(ROOT, 'test', 'support', 'contract.ts'), __filename]);
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return testSources(p);
    return /\.ts$/.test(e.name) && !skip.has(p) ? [p] : [];
  });
}

/** The calls of the contract helpers in `source`, read with the TypeScript parser (comments and strings are not calls). */
export function contractCalls(source: string, file = 'source.ts'): ContractCall[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const out: ContractCall[] = [];
  const literal = (n: ts.Node | undefined) => (n && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) ? n.text : undefined);
  const visit = (n: ts.Node) => {
    if (
      ts.isCallExpression(n) &&
      ts.isIdentifier(n.expression) &&
      (n.expression.text === 'expectContract' || n.expression.text === 'expectError')
    ) {
      const route = literal(n.arguments[1]);
      const status = n.arguments[2] && ts.isNumericLiteral(n.arguments[2]) ? Number(n.arguments[2].text) : undefined;
      const line = sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
      const awaited = ts.isAwaitExpression(n.parent) || ts.isReturnStatement(n.parent) || ts.isArrowFunction(n.parent);
      if (route)
        out.push({
          helper: n.expression.text,
          route: normaliseRoute(route),
          status,
          code: literal(n.arguments[3]),
          awaited,
          where: `${relative(ROOT, file)}:${line}`,
        });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

let t: TestApp;
let doc: any;
beforeAll(async () => {
  t = await startTestApp({ label: 'contract' });
  doc = (await request(t.url).get('/docs-json').expect(200)).body;
});
afterAll(async () => {
  await t?.close();
});

function documented(): Set<string> {
  const out = new Set<string>();
  for (const [path, ops] of Object.entries<any>(doc.paths)) {
    for (const method of Object.keys(ops)) out.add(`${method.toUpperCase()} ${normalise(path)}`);
  }
  return out;
}

const contract = () => contractRoutes(readFileSync(contractPath(), 'utf8'));
const builtRoutes = () => contract().filter((r) => !(r in NOT_YET_BUILT));
let calls: ContractCall[] | undefined;
const allCalls = () => (calls ??= testSources().flatMap((f) => contractCalls(readFileSync(f, 'utf8'), f)));
/** The 401 codes every signed-in route documents: they do not show a route's own rules. */
const SIGN_IN_CODES = new Set(['unauthorized', 'session_revoked', 'account_suspended']);

const shared = sharedContractPath();
// Always runs: on a bare clone (no ../shared) the repository's copy is the contract and there
// is nothing to compare it with; beside the shared one the two must be the same text.
it('docs/contract/API.md is the contract the tests check, and the same text as ../shared/API.md where that exists', () => {
  const here = readFileSync(contractPath(), 'utf8');
  expect(contractRoutes(here).length).toBeGreaterThan(0);
  if (!shared) return;
  const there = readFileSync(shared, 'utf8');
  if (here !== there)
    throw new Error(
      `docs/contract/API.md differs from ${shared}: the shared contract changed; copy it over (cp ${shared} docs/contract/API.md) and build or list what it adds`,
    );
});

it('the parser finds the contract routes, including "PUT / DELETE" pairs, query forms and v1.1 routes', () => {
  const routes = contract();
  expect(routes).toEqual(
    expect.arrayContaining([
      'POST /v1/auth/register',
      'PUT /v1/users/{}/follow',
      'DELETE /v1/users/{}/follow',
      'GET /v1/conversations',
      'GET /v1/sync',
      'POST /admin/v1/reports/{}/resolve',
      'GET /v1/users',
      'POST /admin/v1/held-messages/{}/reject',
      'GET /admin/v1/rules',
      'GET /admin/v1/spam-requests',
    ]),
  );
  expect(routes.length).toBeGreaterThan(40);
});

it('every route of API.md is in the OpenAPI document, except those NOT_YET_BUILT names', () => {
  const served = documented();
  expect(builtRoutes().filter((r) => !served.has(r))).toEqual([]);
});

it('NOT_YET_BUILT only lists contract routes that are still missing (the map can only shrink)', () => {
  const routes = new Set(contract());
  const served = documented();
  expect(Object.keys(NOT_YET_BUILT).filter((r) => served.has(r))).toEqual([]);
  expect(Object.keys(NOT_YET_BUILT).filter((r) => !routes.has(r))).toEqual([]);
});

it('the source scan finds literal helper calls and nothing in comments or strings', () => {
  const calls = contractCalls(`
    // expectContract(res, 'GET /v1/ignored', 200)
    const s = "expectError(res, 'GET /v1/ignored', 404, 'not_found')";
    await expectContract(await t.http().get(\`/v1/users/\${id}\`).set(a.auth), 'GET /v1/users/{id}', 200);
    await expectError(res, 'POST /v1/conversations/:id/messages', 403, 'request_pending_limit');
    expectContract(res, 'GET /v1/me', 200);
  `);
  expect(calls.map(({ helper, route, status, code, awaited }) => [helper, route, status, code, awaited])).toEqual([
    ['expectContract', 'GET /v1/users/{}', 200, undefined, true],
    ['expectError', 'POST /v1/conversations/{}/messages', 403, 'request_pending_limit', true],
    ['expectContract', 'GET /v1/me', 200, undefined, false],
  ]);
});

it('every helper call in the tests is awaited and names a documented operation, a literal status, and for errors a code documented at that status', () => {
  const problems: string[] = [];
  for (const c of allCalls()) {
    try {
      const { op } = operationOf(doc, c.route);
      if (!c.awaited) problems.push(`${c.where}: ${c.helper} is not awaited, so its failure would be lost`);
      if (c.status === undefined) problems.push(`${c.where}: ${c.route}: the status is not a number literal`);
      else if (!op.responses?.[String(c.status)]) problems.push(`${c.where}: ${c.route} documents no ${c.status}`);
      else if (c.helper === 'expectError' && (!c.code || !documentedCodes(doc, c.route, c.status).includes(c.code)))
        problems.push(`${c.where}: ${c.route} ${c.status} ${c.code ?? '(code not a literal)'} is not a documented code`);
    } catch (err: any) {
      problems.push(`${c.where}: ${err.message}`);
    }
  }
  expect(problems).toEqual([]);
});

it('every built route of API.md has a test asserting its response shape against the OpenAPI document', () => {
  const shaped = new Set(
    allCalls()
      .filter((c) => c.helper === 'expectContract' && c.status !== undefined && c.status < 300)
      .map((c) => c.route),
  );
  expect(builtRoutes().filter((r) => !shaped.has(r))).toEqual([]);
});

it('every built route of API.md has a test asserting one of its own documented error codes (not only the shared 401s, where it documents others)', () => {
  const calls = allCalls().filter((c) => c.helper === 'expectError' && c.code);
  const missing: string[] = [];
  for (const route of builtRoutes()) {
    const { op } = operationOf(doc, route);
    const own = Object.keys(op.responses ?? {})
      .filter((s) => /^[45]\d\d$/.test(s))
      .flatMap((s) => documentedCodes(doc, route, Number(s)))
      .filter((c) => !SIGN_IN_CODES.has(c));
    const asserted = calls.filter((c) => c.route === route).map((c) => c.code!);
    if (!asserted.some((c) => own.length === 0 || own.includes(c))) missing.push(`${route} (documents ${own.join(', ') || 'only 401s'})`);
  }
  expect(missing).toEqual([]);
});

it('the helpers refuse a body that drifts from the document: a missing field, an undocumented one, a wrong type, a wrong status or code', async () => {
  const u = await request(t.url)
    .post('/v1/auth/register')
    .send({ handle: `cc_${Date.now().toString(36)}`, displayName: 'CC', password: 'correct horse battery' })
    .expect(201);
  const me = await request(t.url).get('/v1/me').set('Authorization', `Bearer ${u.body.accessToken}`);
  await expectContract(me, 'GET /v1/me', 200);
  const drift = (body: unknown) => ({ ...me, status: me.status, body, request: me.request });
  const { id: _id, ...missing } = me.body;
  await expect(expectContract(drift(missing), 'GET /v1/me', 200)).rejects.toThrow(/must have required property 'id'/);
  await expect(expectContract(drift({ ...me.body, secret: 1 }), 'GET /v1/me', 200)).rejects.toThrow(
    /must NOT have additional properties: secret/,
  );
  await expect(expectContract(drift({ ...me.body, handle: 42 }), 'GET /v1/me', 200)).rejects.toThrow(/handle must be string/);
  await expect(expectContract(me, 'GET /v1/me', 201)).rejects.toThrow(/expected 201, got 200/);
  const anonymous = await request(t.url).get('/v1/me');
  await expectError(anonymous, 'GET /v1/me', 401, 'unauthorized');
  await expect(expectError(anonymous, 'GET /v1/me', 401, 'invalid_credentials')).rejects.toThrow(/expected code invalid_credentials/);
  // A code the route does not document is refused even when the server answers it.
  const undocumented = { ...anonymous, status: 401, body: { ...anonymous.body, code: 'handle_taken' }, request: anonymous.request };
  await expect(expectError(undocumented, 'GET /v1/me', 401, 'handle_taken')).rejects.toThrow(/401 handle_taken is not documented/);
});
