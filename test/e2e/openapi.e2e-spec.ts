import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import * as ts from 'typescript';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser } from '../support/factories';

/**
 * The OpenAPI document at /docs-json is good enough to generate a client from: every
 * operation has a summary, a typed success body, its error statuses with their stable
 * codes in the contract's error shape, typed parameters and typed request bodies whose
 * examples the server accepts. "A generated client compiles" is checked for real: the
 * document is turned into TypeScript (interfaces + one function per operation) and the
 * project's own compiler checks it under `strict`.
 */
let t: TestApp;
let doc: any;

beforeAll(async () => {
  t = await startTestApp({ label: 'openapi' });
  const res = await request(t.url).get('/docs-json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(async () => {
  await t?.close();
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
interface Op {
  method: string;
  path: string;
  op: any;
}
function operations(): Op[] {
  const out: Op[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const method of METHODS) if (item[method]) out.push({ method, path, op: item[method] });
  }
  return out;
}
const refName = (ref: string) => ref.split('/').pop()!;
const deref = (s: any): any => (s?.$ref ? doc.components.schemas[refName(s.$ref)] : s);
const ERROR_REF = '#/components/schemas/ErrorBody';

/** The codes an error response documents: the `code` enum of its allOf [ErrorBody, {code enum}]. */
function errorCodes(schema: any): string[] | null {
  if (!schema?.allOf?.some((s: any) => s.$ref === ERROR_REF)) return null;
  const codes = schema.allOf.flatMap((s: any) => s.properties?.code?.enum ?? []);
  return codes.length ? codes : null;
}

/** Problems with a schema's typing: a property without a type or $ref, a bare `type: object`. */
function typingProblems(schema: any, where: string, seen = new Set<any>()): string[] {
  if (!schema || seen.has(schema)) return [];
  seen.add(schema);
  if (schema.$ref) return doc.components.schemas[refName(schema.$ref)] ? [] : [`${where}: dangling ${schema.$ref}`];
  const parts = [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
  if (parts.length) return parts.flatMap((p: any, i: number) => typingProblems(p, `${where}[${i}]`, seen));
  if (!schema.type && !schema.enum) return [`${where}: no type`];
  const out: string[] = [];
  if (schema.type === 'object') {
    if (!schema.properties && schema.additionalProperties === undefined) out.push(`${where}: bare object (an untyped field)`);
    for (const [k, p] of Object.entries<any>(schema.properties ?? {})) out.push(...typingProblems(p, `${where}.${k}`, seen));
    if (typeof schema.additionalProperties === 'object') out.push(...typingProblems(schema.additionalProperties, `${where}{}`, seen));
  }
  if (schema.type === 'array')
    out.push(...(schema.items ? typingProblems(schema.items, `${where}[]`, seen) : [`${where}: array without items`]));
  return out;
}

it('every operation has a summary, a typed success response (or a bodiless 204) and documented errors in the ErrorBody shape', () => {
  const ops = operations();
  expect(ops.length).toBeGreaterThan(60);
  const problems: string[] = [];
  for (const { method, path, op } of ops) {
    const id = `${method.toUpperCase()} ${path}`;
    if (typeof op.summary !== 'string' || op.summary.trim().length < 5) problems.push(`${id}: no summary`);
    const statuses = Object.keys(op.responses ?? {});
    const ok = statuses.filter((s) => /^2\d\d$/.test(s));
    if (ok.length === 0) problems.push(`${id}: no 2xx response`);
    for (const s of ok) {
      // GET / answers the web app's HTML; everything else JSON.
      const schema =
        op.responses[s].content?.['application/json']?.schema ??
        (path === '/' ? op.responses[s].content?.['text/html']?.schema : undefined);
      if (s === '204') {
        if (op.responses[s].content) problems.push(`${id}: 204 with a body`);
      } else if (!schema) problems.push(`${id}: ${s} without a schema`);
      else problems.push(...typingProblems(schema, `${id} ${s}`));
    }
    const errors = statuses.filter((s) => /^[45]\d\d$/.test(s));
    const clientErrors = errors.filter((s) => s.startsWith('4'));
    if (path !== '/health' && path !== '/health/live' && clientErrors.length === 0) problems.push(`${id}: no documented 4xx`);
    // The liveness route checks nothing and takes nothing: it has no error to document.
    if (path !== '/health/live' && errors.length === 0) problems.push(`${id}: no documented error`);
    for (const s of errors) {
      const codes = errorCodes(op.responses[s].content?.['application/json']?.schema);
      if (!codes) problems.push(`${id}: ${s} is not an ErrorBody with its codes`);
      else
        for (const c of codes) if (!op.responses[s].description?.includes(c)) problems.push(`${id}: ${s} description does not name ${c}`);
    }
    const authed = (op.security ?? doc.security ?? []).length > 0;
    if (authed && !errorCodes(op.responses['401']?.content?.['application/json']?.schema)?.includes('unauthorized'))
      problems.push(`${id}: authenticated but no 401 unauthorized`);
    const hasInput = (op.parameters ?? []).some((p: any) => p.in === 'query') || !!op.requestBody;
    if (hasInput && !errorCodes(op.responses['400']?.content?.['application/json']?.schema)?.includes('invalid_request'))
      problems.push(`${id}: takes input but no 400 invalid_request`);
    const takesId = (op.parameters ?? []).some((p: any) => p.in === 'path');
    if (takesId && !errorCodes(op.responses['404']?.content?.['application/json']?.schema)?.includes('not_found'))
      problems.push(`${id}: takes an id but no 404 not_found`);
  }
  expect(problems).toEqual([]);
});

it('the contract routes document their domain error codes, and rate-limited routes their 429 with Retry-After', () => {
  const codesOf = (method: string, path: string, status: string) =>
    errorCodes(doc.paths[path][method].responses[status]?.content?.['application/json']?.schema) ?? [];
  expect(codesOf('post', '/v1/auth/register', '409')).toEqual(['handle_taken']);
  expect(codesOf('post', '/v1/auth/login', '401')).toEqual(expect.arrayContaining(['invalid_credentials', 'account_suspended']));
  expect(codesOf('post', '/v1/conversations', '422')).toEqual(expect.arrayContaining(['group_too_large']));
  expect(codesOf('post', '/v1/conversations', '403')).toEqual(
    expect.arrayContaining(['blocked', 'recipient_not_accepting', 'messaging_restricted']),
  );
  expect(codesOf('post', '/v1/conversations/{id}/messages', '403')).toEqual(
    expect.arrayContaining(['blocked', 'request_pending_limit', 'messaging_restricted']),
  );
  expect(codesOf('post', '/v1/conversations/{id}/messages', '400')).toEqual(expect.arrayContaining(['invalid_request', 'invalid_text']));
  expect(codesOf('post', '/v1/conversations/{id}/messages', '422')).toEqual(['attachments_not_supported', 'reply_target_not_found']);
  expect(codesOf('get', '/v1/sync', '400')).toEqual(expect.arrayContaining(['invalid_request', 'invalid_cursor']));
  expect(codesOf('get', '/v1/sync', '410')).toEqual(['cursor_expired']);
  for (const [method, path] of [
    ['post', '/v1/auth/register'],
    ['post', '/v1/auth/login'],
    ['post', '/v1/conversations'],
    ['post', '/v1/conversations/{id}/messages'],
    ['post', '/v1/reports'],
    ['post', '/v1/rooms/{id}/questions'],
    ['post', '/admin/v1/auth/login'],
  ]) {
    const r = doc.paths[path][method].responses['429'];
    expect([path, errorCodes(r?.content?.['application/json']?.schema)]).toEqual([path, ['rate_limited']]);
    expect([path, r.headers?.['Retry-After']?.schema?.type]).toEqual([path, 'integer']);
  }
});

it('every path and query parameter is typed: ids as uuid strings, seqs and limits as bounded integers, folder as an enum', () => {
  const problems: string[] = [];
  for (const { method, path, op } of operations()) {
    const id = `${method.toUpperCase()} ${path}`;
    const params: any[] = op.parameters ?? [];
    for (const name of path.match(/\{([^}]+)\}/g) ?? []) {
      const p = params.find((x) => x.in === 'path' && `{${x.name}}` === name);
      if (!p) problems.push(`${id}: path parameter ${name} not described`);
      else if (p.schema?.type !== 'string' || !(p.schema.format === 'uuid' || p.schema.pattern))
        problems.push(`${id}: ${name} is not a uuid (or patterned) string`);
    }
    for (const p of params) {
      if (!['string', 'integer', 'number', 'boolean'].includes(p.schema?.type))
        problems.push(`${id}: ${p.in} ${p.name} typed ${JSON.stringify(p.schema)}`);
      if (
        ['limit', 'afterSeq', 'beforeSeq'].includes(p.name) &&
        (p.schema.type !== 'integer' ||
          typeof p.schema.minimum !== 'number' ||
          (p.name === 'limit' && typeof p.schema.maximum !== 'number'))
      ) {
        problems.push(`${id}: ${p.name} is not a bounded integer`);
      }
    }
  }
  expect(problems).toEqual([]);
  const q = (path: string, name: string, method = 'get') =>
    doc.paths[path][method].parameters.find((p: any) => p.in === 'query' && p.name === name)?.schema;
  expect(q('/v1/conversations', 'folder')).toEqual(
    expect.objectContaining({ type: 'string', enum: ['inbox', 'requests', 'hidden'], default: 'inbox' }),
  );
  expect(q('/v1/conversations', 'limit')).toEqual(expect.objectContaining({ type: 'integer', minimum: 1, maximum: 100, default: 50 }));
  expect(q('/v1/conversations', 'cursor')).toEqual(expect.objectContaining({ type: 'string' }));
  for (const name of ['afterSeq', 'beforeSeq'])
    expect(q('/v1/conversations/{id}/messages', name)).toEqual(expect.objectContaining({ type: 'integer', minimum: 0 }));
  expect(q('/v1/conversations/{id}/messages', 'cursor')).toEqual(expect.objectContaining({ type: 'string' }));
  expect(q('/v1/sync', 'limit')).toEqual(expect.objectContaining({ type: 'integer', minimum: 1, maximum: 500 }));
  expect(q('/v1/sync', 'cursor')).toEqual(expect.objectContaining({ type: 'string' }));
  for (const name of ['sort', 'range', 'filter']) expect(q('/admin/v1/reports', name)).toEqual(expect.objectContaining({ type: 'string' }));
  expect(doc.paths['/admin/v1/reports'].get.responses['200'].headers['Content-Range'].schema.type).toBe('string');
});

it('no field anywhere is an untyped object, and every request body is a typed schema with an example', () => {
  const problems: string[] = [];
  for (const [name, schema] of Object.entries<any>(doc.components.schemas)) problems.push(...typingProblems(schema, name));
  for (const { method, path, op } of operations()) {
    if (!op.requestBody) continue;
    const media = op.requestBody.content?.['application/json'];
    const schema = deref(media?.schema);
    if (schema?.type !== 'object' || !schema.properties) problems.push(`${method} ${path}: body is not an object schema`);
    problems.push(...typingProblems(media?.schema, `${method} ${path} body`));
    // Swagger UI offers the media type's example, else one built from the properties' own
    // examples (inventing "string" for a property without one): so every property has one.
    if (media?.example === undefined && !media?.examples) {
      for (const [k, p] of Object.entries<any>(schema?.properties ?? {})) {
        if (p.example === undefined && p.enum === undefined && p.default === undefined)
          problems.push(`${method} ${path}: body field ${k} has no example`);
      }
    }
  }
  expect(problems).toEqual([]);
  const prop = (schema: string, field: string) => doc.components.schemas[schema].properties[field];
  expect(prop('SendMessageDto', 'clientId').type).toBe('string');
  expect(prop('SendMessageDto', 'text').type).toBe('string');
  expect(prop('ReadDto', 'seq').type).toBe('integer');
  expect(prop('CreateConversationDto', 'title').type).toBe('string');
  expect(prop('CreateConversationDto', 'roomId')).toEqual(expect.objectContaining({ type: 'string', format: 'uuid' }));
  expect(prop('CreateConversationDto', 'participantIds')).toEqual(
    expect.objectContaining({ type: 'array', items: expect.objectContaining({ type: 'string', format: 'uuid' }) }),
  );
});

it('the sync page describes its events as a union keyed by type, each with its cursor and payload', () => {
  const page = doc.components.schemas.SyncPage;
  expect(page.required).toEqual(expect.arrayContaining(['events', 'cursor', 'hasMore']));
  const union = page.properties.events.items;
  expect(union.discriminator.propertyName).toBe('type');
  const mapped = Object.keys(union.discriminator.mapping).sort();
  expect(mapped).toEqual([
    'conversation.updated',
    'message.created',
    'message.updated',
    'notice.created',
    'question.created',
    'question.updated',
    'read.updated',
    'request.created',
  ]);
  for (const ref of union.oneOf.map((s: any) => s.$ref)) {
    const ev = deref({ $ref: ref });
    expect([ref, ev.required]).toEqual([ref, expect.arrayContaining(['type', 'cursor'])]);
  }
  expect(deref({ $ref: union.discriminator.mapping['message.created'] }).properties.message.$ref).toBe('#/components/schemas/Message');
  expect(deref({ $ref: union.discriminator.mapping['read.updated'] }).required).toEqual(
    expect.arrayContaining(['conversationId', 'userId', 'seq']),
  );
});

// ---- a client generated from the document ----

const ident = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
function tsType(s: any): string {
  if (!s) throw new Error('missing schema');
  if (s.$ref) return ident(refName(s.$ref));
  const nullable = s.nullable ? ' | null' : '';
  if (s.allOf) return `(${s.allOf.map(tsType).join(' & ')})${nullable}`;
  if (s.oneOf || s.anyOf) return `(${(s.oneOf ?? s.anyOf).map(tsType).join(' | ')})${nullable}`;
  if (s.enum) return `(${s.enum.map((v: unknown) => JSON.stringify(v)).join(' | ')})${nullable}`;
  switch (s.type) {
    case 'string':
      return `string${nullable}`;
    case 'integer':
    case 'number':
      return `number${nullable}`;
    case 'boolean':
      return `boolean${nullable}`;
    case 'array':
      return `Array<${tsType(s.items)}>${nullable}`;
    case 'object': {
      const req = new Set<string>(s.required ?? []);
      const fields = Object.entries<any>(s.properties ?? {}).map(([k, v]) => `${JSON.stringify(k)}${req.has(k) ? '' : '?'}: ${tsType(v)};`);
      if (s.additionalProperties)
        fields.push(`[key: string]: ${s.additionalProperties === true ? 'unknown' : tsType(s.additionalProperties)};`);
      return `{ ${fields.join(' ')} }${nullable}`;
    }
    default:
      throw new Error(`untyped schema ${JSON.stringify(s)}`);
  }
}

function generateClient(): string {
  const lines = [
    '/* generated from /docs-json */',
    'declare function call<T>(method: string, path: string, query: Record<string, string | number | boolean | undefined>, body?: unknown): Promise<T>;',
  ];
  for (const [name, schema] of Object.entries<any>(doc.components.schemas)) lines.push(`export type ${ident(name)} = ${tsType(schema)};`);
  const seen = new Set<string>();
  for (const { method, path, op } of operations()) {
    const fn = ident(op.operationId);
    if (seen.has(fn)) throw new Error(`duplicate operationId ${fn}`);
    seen.add(fn);
    const params: any[] = op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const queryParams = params.filter((p) => p.in === 'query');
    const args: string[] = [];
    if (pathParams.length) args.push(`path: { ${pathParams.map((p) => `${p.name}: ${tsType(p.schema)};`).join(' ')} }`);
    const body = op.requestBody?.content?.['application/json'];
    if (body) args.push(`body: ${tsType(body.schema)}`);
    const queryType = `{ ${queryParams.map((p) => `${p.name}${p.required ? '' : '?'}: ${tsType(p.schema)};`).join(' ')} }`;
    args.push(queryParams.some((p) => p.required) ? `query: ${queryType}` : `query: ${queryType} = {}`);
    const ok = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s));
    const result = ok
      .map((s) =>
        s === '204' ? 'void' : tsType(op.responses[s].content['application/json']?.schema ?? op.responses[s].content['text/html'].schema),
      )
      .join(' | ');
    const url = path.replace(/\{([^}]+)\}/g, (_m, n) => `\${encodeURIComponent(path.${n})}`);
    lines.push(`export function ${fn}(${args.join(', ')}): Promise<${result}> {`);
    lines.push(`  return call<${result}>(${JSON.stringify(method.toUpperCase())}, \`${url}\`, query${body ? ', body' : ''});`);
    lines.push('}');
    // The declared example must type-check against the body's own type (excess properties included).
    const example = exampleBody(op);
    if (body) lines.push(`export const example_${fn}: ${tsType(body.schema)} = ${JSON.stringify(example)};`);
  }
  // Reading a response through the generated types: the fields a client needs are there.
  lines.push(
    'export async function walkthrough(): Promise<string> {',
    "  const s = await AuthController_register({ handle: 'alice_01', displayName: 'Alice', password: 'correct horse battery' });",
    '  const c = await ConversationsController_create({ participantIds: [s.user.id] });',
    "  const m = await ConversationsController_send({ id: c.id }, { clientId: 'x', text: 'hi' });",
    '  const page = await ConversationsController_listMessages({ id: c.id }, { afterSeq: m.seq, limit: 10 });',
    '  const sync = await SyncController_sync({ cursor: page.nextCursor ?? undefined });',
    '  const first = sync.events[0];',
    "  if (first && first.type === 'message.created') return first.message.text ?? '';",
    '  return c.members.map((x) => x.state).join(",") + String(sync.hasMore);',
    '}',
  );
  return lines.join('\n') + '\n';
}

/** Where a real JSON value departs from its schema: a missing required field, an undocumented one, a wrong type. */
function mismatches(value: unknown, schema: any, where: string): string[] {
  if (schema.$ref) return mismatches(value, deref(schema), where);
  if (value === null) return schema.nullable ? [] : [`${where}: null but not nullable`];
  if (schema.allOf) return schema.allOf.flatMap((s: any) => mismatches(value, s, where));
  if (schema.oneOf) {
    const fits = schema.oneOf.filter((s: any) => mismatches(value, s, where).length === 0);
    return fits.length >= 1 ? [] : [`${where}: fits none of oneOf`];
  }
  if (schema.enum && !schema.enum.includes(value)) return [`${where}: ${JSON.stringify(value)} not in enum`];
  switch (schema.type) {
    case 'string':
      return typeof value === 'string' ? [] : [`${where}: not a string`];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${where}: not an integer`];
    case 'number':
      return typeof value === 'number' ? [] : [`${where}: not a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${where}: not a boolean`];
    case 'array':
      return Array.isArray(value) ? value.flatMap((v, i) => mismatches(v, schema.items, `${where}[${i}]`)) : [`${where}: not an array`];
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${where}: not an object`];
      const obj = value as Record<string, unknown>;
      const out = (schema.required ?? []).filter((k: string) => !(k in obj)).map((k: string) => `${where}.${k}: missing`);
      for (const [k, v] of Object.entries(obj)) {
        const p = schema.properties?.[k];
        if (p) out.push(...mismatches(v, p, `${where}.${k}`));
        else if (!schema.additionalProperties) out.push(`${where}.${k}: not documented`);
      }
      return out;
    }
    default:
      return [];
  }
}
const responseSchema = (method: string, path: string, status: number) =>
  doc.paths[path][method].responses[String(status)].content['application/json'].schema;

/** The body Swagger UI would offer: the media type's example, else one built from property examples. */
function exampleBody(op: any): unknown {
  const media = op.requestBody?.content?.['application/json'];
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  if (media.examples) return (Object.values<any>(media.examples)[0] as any).value;
  const schema = deref(media.schema);
  return Object.fromEntries(Object.entries<any>(schema.properties ?? {}).map(([k, p]) => [k, p.example ?? p.default ?? p.enum?.[0]]));
}

it('a TypeScript client generated from the document compiles under strict with zero diagnostics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bc-openapi-'));
  try {
    const file = join(dir, 'client.ts');
    writeFileSync(file, generateClient());
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      lib: ['lib.es2022.d.ts'],
      types: [],
      noUnusedLocals: false,
      exactOptionalPropertyTypes: false,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      const line = pos && d.file ? d.file.text.split('\n')[pos.line] : '';
      return `${pos ? pos.line + 1 : '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')} | ${line.slice(0, 200)}`;
    });
    expect(diagnostics).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the declared example bodies of register, create conversation, send message and read marker succeed against real resources', async () => {
  const ex = (method: string, path: string) => exampleBody(doc.paths[path][method]) as Record<string, unknown>;
  const registered = await request(t.url).post('/v1/auth/register').send(ex('post', '/v1/auth/register'));
  expect([registered.status, registered.body.code]).toEqual([201, undefined]);
  const auth = { Authorization: `Bearer ${registered.body.accessToken}` };
  const bob = await registerUser(t.url);

  // The example names a user id that does not exist here: well-formed, so 404, never 400.
  const asIs = await request(t.url).post('/v1/conversations').set(auth).send(ex('post', '/v1/conversations'));
  expect([asIs.status, asIs.body.code]).toEqual([404, 'not_found']);
  const withBob = JSON.parse(
    JSON.stringify(ex('post', '/v1/conversations')).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, bob.id),
  );
  const created = await request(t.url).post('/v1/conversations').set(auth).send(withBob);
  expect([created.status, created.body.code]).toEqual([201, undefined]);

  const sent = await request(t.url)
    .post(`/v1/conversations/${created.body.id}/messages`)
    .set(auth)
    .send(ex('post', '/v1/conversations/{id}/messages'));
  expect([sent.status, sent.body.code]).toEqual([201, undefined]);
  expect(sent.body.seq).toBe(1);

  const read = await request(t.url)
    .post(`/v1/conversations/${created.body.id}/read`)
    .set(bob.auth)
    .send(ex('post', '/v1/conversations/{id}/read'));
  expect([read.status, read.body.code]).toEqual([200, undefined]);
  expect(read.body).toEqual({ conversationId: created.body.id, readSeq: 1, unreadCount: 0 });
});

it('real responses carry exactly the documented fields and types (session, me, conversation, message, pages, sync events)', async () => {
  const alice = await registerUser(t.url);
  const bob = await registerUser(t.url);
  // Bob follows Alice, so her conversation reaches his inbox at once and read markers are shared.
  await request(t.url).put(`/v1/users/${alice.id}/follow`).set(bob.auth).expect(204);
  const sync0 = await request(t.url).get('/v1/sync').set(bob.auth);
  const aliceSync0 = await request(t.url).get('/v1/sync').set(alice.auth);
  const register = await request(t.url)
    .post('/v1/auth/register')
    .send({ handle: `x${alice.handle}`.slice(0, 30), displayName: 'X', password: 'correct horse battery' });
  const conv = await request(t.url)
    .post('/v1/conversations')
    .set(alice.auth)
    .send({ participantIds: [bob.id] });
  const msg = await request(t.url)
    .post(`/v1/conversations/${conv.body.id}/messages`)
    .set(alice.auth)
    .send({ clientId: 'c1', text: 'hello' });
  await request(t.url).post(`/v1/conversations/${conv.body.id}/read`).set(bob.auth).send({ seq: 1 }).expect(200);
  const checks: Array<[string, string, number, request.Response]> = [
    ['post', '/v1/auth/register', 201, register],
    ['get', '/v1/me', 200, await request(t.url).get('/v1/me').set(alice.auth)],
    ['post', '/v1/conversations', 201, conv],
    ['post', '/v1/conversations/{id}/messages', 201, msg],
    ['get', '/v1/conversations', 200, await request(t.url).get('/v1/conversations').set(bob.auth)],
    ['get', '/v1/conversations/{id}/messages', 200, await request(t.url).get(`/v1/conversations/${conv.body.id}/messages`).set(bob.auth)],
    ['get', '/v1/sync', 200, sync0],
  ];
  const sync = await request(t.url).get(`/v1/sync?cursor=${sync0.body.cursor}`).set(bob.auth);
  const aliceSync = await request(t.url).get(`/v1/sync?cursor=${aliceSync0.body.cursor}`).set(alice.auth);
  // The text has no link, so no scan verdict (a message.updated, from a worker, whenever) joins these.
  for (const page of [sync, aliceSync])
    expect(page.body.events.map((e: any) => e.type)).toEqual(['conversation.updated', 'message.created', 'read.updated']);
  checks.push(['get', '/v1/sync', 200, sync], ['get', '/v1/sync', 200, aliceSync]);
  const withLink = await request(t.url)
    .post(`/v1/conversations/${conv.body.id}/messages`)
    .set(alice.auth)
    .send({ clientId: 'c2', text: 'see https://example.com/a' });
  expect(withLink.body.links).toEqual([{ url: 'https://example.com/a', verdict: 'pending' }]);
  checks.push(['post', '/v1/conversations/{id}/messages', 201, withLink]);
  const problems = checks.flatMap(([method, path, status, res]) => [
    ...(res.status === status ? [] : [`${method} ${path}: ${res.status}`]),
    ...mismatches(res.body, responseSchema(method, path, status), `${method} ${path}`),
  ]);
  expect(problems).toEqual([]);
});

it('real staff responses carry exactly the documented fields and types (login, reports, users, history, stats, audit log, cases, templates, transparency, notices)', async () => {
  const alice = await registerUser(t.url);
  const bob = await registerUser(t.url);
  const filed = await request(t.url).post('/v1/reports').set(alice.auth).send({ subjectType: 'user', subjectId: bob.id, reason: 'spam' });
  expect(filed.status).toBe(201);
  const login = await request(t.url).post('/admin/v1/auth/login').send({ email: 'admin@example.com', password: 'admin-password-1' });
  const staff = await loginStaff(t.url);
  const get = (path: string) => request(t.url).get(path).set(staff.auth);
  // A request Alice sent, so her history's recentRequests has a row to check.
  const asked = await request(t.url)
    .post('/v1/conversations')
    .set(alice.auth)
    .send({ participantIds: [bob.id] });
  await request(t.url).post(`/v1/conversations/${asked.body.id}/messages`).set(alice.auth).send({ clientId: 'r1', text: 'hi' }).expect(201);
  const aliceHistory = await get(`/admin/v1/users/${alice.id}/history`);
  expect(aliceHistory.body.recentRequests).toEqual([
    expect.objectContaining({ conversationId: asked.body.id, firstText: 'hi', locked: false }),
  ]);
  const checks: Array<[string, string, number, request.Response]> = [
    ['get', '/admin/v1/users/{id}/history', 200, aliceHistory],
    ['post', '/v1/reports', 201, filed],
    ['post', '/admin/v1/auth/login', 200, login],
    ['get', '/admin/v1/reports', 200, await get('/admin/v1/reports')],
    ['get', '/admin/v1/reports/{id}', 200, await get(`/admin/v1/reports/${filed.body.id}`)],
    ['get', '/admin/v1/users', 200, await get('/admin/v1/users')],
    ['get', '/admin/v1/users/{id}/history', 200, await get(`/admin/v1/users/${bob.id}/history`)],
    ['get', '/admin/v1/stats', 200, await get('/admin/v1/stats')],
    ['get', '/admin/v1/audit-log', 200, await get('/admin/v1/audit-log')],
    ['get', '/admin/v1/staff', 200, await get('/admin/v1/staff')],
  ];
  // Issue #15: cases, mod mail, templates, reporter standing, transparency, notices with statements and replies.
  const caseId = (await get('/admin/v1/cases')).body[0].id;
  const mail = await request(t.url)
    .post(`/admin/v1/cases/${caseId}/messages`)
    .set(staff.auth)
    .send({ recipientId: bob.id, text: 'Tell us more.' });
  const warned = await request(t.url).post(`/admin/v1/users/${bob.id}/actions`).set(staff.auth).send({ action: 'warn' });
  const template = await request(t.url)
    .post('/admin/v1/templates')
    .set(staff.auth)
    .send({ name: 'Warn', body: 'Hi {{handle}}: {{action}}.' });
  const bobNotices = await request(t.url).get('/v1/notices').set(bob.auth);
  const mailNotice = bobNotices.body.items.find((n: any) => n.kind === 'case_message');
  const replied = await request(t.url).post(`/v1/notices/${mailNotice.id}/reply`).set(bob.auth).send({ text: 'Sure.' });
  checks.push(
    ['get', '/admin/v1/cases', 200, await get('/admin/v1/cases')],
    ['get', '/admin/v1/cases/{id}', 200, await get(`/admin/v1/cases/${caseId}`)],
    ['post', '/admin/v1/cases/{id}/claim', 200, await request(t.url).post(`/admin/v1/cases/${caseId}/claim`).set(staff.auth)],
    ['post', '/admin/v1/cases/{id}/messages', 201, mail],
    ['get', '/admin/v1/cases/{id}/messages', 200, await get(`/admin/v1/cases/${caseId}/messages`)],
    ['post', '/admin/v1/templates', 201, template],
    ['get', '/admin/v1/templates', 200, await get('/admin/v1/templates')],
    ['get', '/admin/v1/users/{id}/reporter', 200, await get(`/admin/v1/users/${alice.id}/reporter`)],
    ['get', '/admin/v1/actions/{id}', 200, await get(`/admin/v1/actions/${warned.body.action.id}`)],
    ['get', '/v1/notices', 200, await request(t.url).get('/v1/notices').set(bob.auth)],
    ['get', '/v1/notices', 200, await request(t.url).get('/v1/notices').set(alice.auth)],
    ['post', '/v1/notices/{id}/reply', 200, replied],
    [
      'post',
      '/admin/v1/cases/{id}/resolve',
      200,
      await request(t.url).post(`/admin/v1/cases/${caseId}/resolve`).set(staff.auth).send({ action: 'warn' }),
    ],
    ['get', '/admin/v1/transparency', 200, await get('/admin/v1/transparency')],
  );
  const problems = checks.flatMap(([method, path, status, res]) => [
    ...(res.status === status ? [] : [`${method} ${path}: ${res.status}`]),
    ...mismatches(res.body, responseSchema(method, path, status), `${method} ${path}`),
  ]);
  expect(problems).toEqual([]);
  // The pages are not empty, so the rows themselves were checked.
  expect(
    checks
      .filter(([, p]) => ['/admin/v1/reports', '/admin/v1/users', '/admin/v1/audit-log', '/admin/v1/staff'].includes(p))
      .map(([, , , r]) => r.body.length > 0),
  ).toEqual([true, true, true, true]);
});
