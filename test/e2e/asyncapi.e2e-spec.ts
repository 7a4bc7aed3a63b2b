import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import type { Socket } from 'socket.io-client';
import { EVENT_TYPES } from '@app/messaging/events/event-types';
import { Published } from '../../apps/api/src/docs/published';
import { startTestApp, type TestApp } from '../support/app';
import { expectContract, expectError } from '../support/contract';
import { loginStaff, registerUser, type TestUser } from '../support/factories';
import { connectSocket, emitAck, Inbox } from '../support/socket';
import { until } from '../support/wait';

/**
 * GET /asyncapi.json describes what the socket really carries: a run that makes the server
 * emit every event of the contract is captured on real sockets, and each payload (and the
 * acks of message.send and typing) is validated against the document's schemas.
 */
let t: TestApp;
let doc: any;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'asyncapi' });
  const res = await t.http().get('/asyncapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const BAD_DOMAIN = 'asyncapi-phish.com';

/** A validator for the payload of a component message, with every component schema resolvable. */
function validatorFor(messageName: string) {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'doc', components: { schemas: doc.components.schemas } });
  const payload = doc.components.messages[messageName]?.payload;
  if (!payload) throw new Error(`no message ${messageName} in the document`);
  const rewrite = (s: any): any =>
    Array.isArray(s)
      ? s.map(rewrite)
      : s && typeof s === 'object'
        ? Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === '$ref' ? `doc${v}` : rewrite(v)]))
        : s;
  // Component schemas refer to each other as #/components/schemas/X: resolve them inside "doc".
  ajv.removeSchema('doc');
  ajv.addSchema(rewrite({ $id: 'doc', components: { schemas: doc.components.schemas } }));
  return ajv.compile(rewrite(payload));
}

it('is an AsyncAPI 3 document naming every server → client event of the contract, typing, and message.send with its ack', () => {
  expect(doc.asyncapi).toBe('3.0.0');
  expect(doc.servers.api).toMatchObject({ protocol: 'ws', pathname: '/socket.io' });
  for (const type of [...EVENT_TYPES, 'typing']) {
    expect(doc.components.messages[type]).toMatchObject({ name: type, payload: expect.any(Object) });
    expect(doc.operations[`receive.${type}`]).toMatchObject({ action: 'receive' });
  }
  expect(doc.operations['send.message.send']).toMatchObject({
    action: 'send',
    messages: [{ $ref: '#/channels/user/messages/message.send' }],
    reply: { messages: [{ $ref: '#/channels/user/messages/message.send.ack' }] },
  });
  expect(doc.operations['send.typing'].reply.messages).toEqual([{ $ref: '#/channels/user/messages/typing.ack' }]);
  // Every $ref resolves inside the document.
  const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
  for (const r of refs) {
    const path = JSON.parse(`{${r}}`).$ref.replace(/^#\//, '').split('/');
    let at: any = doc;
    for (const p of path) at = at?.[p];
    expect([r, at !== undefined]).toEqual([r, true]);
  }
});

it('GET /asyncapi.json and GET / answer as documented: the document and the web page, and 404 not_found while there is none to serve', async () => {
  await expectContract(await t.http().get('/asyncapi.json'), 'GET /asyncapi.json', 200);
  const published = t.app.get(Published);
  const { openapi, webDir } = published;
  const dir = mkdtempSync(join(tmpdir(), 'bc-web-'));
  try {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Backchannel test page</title>');
    published.webDir = dir;
    const page = await t.http().get('/');
    await expectContract(page, 'GET /', 200);
    expect(page.text).toContain('Backchannel test page');
    // Not built (no index.html), and no OpenAPI document to derive the AsyncAPI one from.
    published.webDir = join(dir, 'missing');
    await expectError(await t.http().get('/'), 'GET /', 404, 'not_found');
    published.openapi = null;
    await expectError(await t.http().get('/asyncapi.json'), 'GET /asyncapi.json', 404, 'not_found');
  } finally {
    published.openapi = openapi;
    published.webDir = webDir;
    rmSync(dir, { recursive: true, force: true });
  }
});

it('every event the server emits in a run that covers them all matches its schema in the document', async () => {
  const staff = await loginStaff(t.url);
  expect(
    (await t.http().post('/admin/v1/blocklist').set(staff.auth).send({ pattern: BAD_DOMAIN, kind: 'domain', reason: 'test phishing' }))
      .status,
  ).toBe(201);
  const [a, b, c] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
  const inboxes = new Map<string, Inbox>();
  const socketOf = new Map<string, Socket>();
  for (const u of [a, b, c]) {
    const s = await connectSocket(t.url, u.token);
    sockets.push(s);
    socketOf.set(u.id, s);
    inboxes.set(u.id, new Inbox(s));
  }
  const http = (u: TestUser) => ({ auth: u.auth });
  await t.http().put(`/v1/users/${a.id}/follow`).set(http(b).auth).expect(204);
  // request.created (c does not follow a), conversation.updated (c accepts)
  const conv = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id, c.id], title: 'asyncapi' })
      .expect(201)
  ).body;
  // message.send over the socket, with its ack
  const ack = await emitAck(socketOf.get(a.id)!, 'message.send', {
    conversationId: conv.id,
    clientId: randomUUID(),
    text: 'hello over the socket',
  });
  const refused = await emitAck(socketOf.get(a.id)!, 'message.send', { conversationId: conv.id, clientId: randomUUID(), text: '' });
  expect(ack.message).toBeDefined();
  expect(refused.error).toMatchObject({ code: expect.any(String) });
  await t.http().post(`/v1/conversations/${conv.id}/accept`).set(c.auth).expect(200);
  // message.created, message.updated (unsend, link verdicts), notice.created (malicious link)
  const m = (
    await t.http().post(`/v1/conversations/${conv.id}/messages`).set(b.auth).send({ clientId: randomUUID(), text: 'to unsend' }).expect(201)
  ).body;
  await t.http().delete(`/v1/conversations/${conv.id}/messages/${m.id}`).set(b.auth).expect(200);
  await t
    .http()
    .post(`/v1/conversations/${conv.id}/messages`)
    .set(a.auth)
    .send({ clientId: randomUUID(), text: 'see https://example.com/asyncapi' })
    .expect(201);
  await t
    .http()
    .post(`/v1/conversations/${conv.id}/messages`)
    .set(a.auth)
    .send({ clientId: randomUUID(), text: `win at https://x.${BAD_DOMAIN}/claim` })
    .expect(201);
  // read.updated
  await t.http().post(`/v1/conversations/${conv.id}/read`).set(b.auth).send({ seq: 1 }).expect(200);
  // typing, with its ack
  const typingAck = await emitAck(socketOf.get(b.id)!, 'typing', { conversationId: conv.id });
  // question.created, question.updated
  const room = (await t.http().post('/v1/rooms').set(a.auth).send({ title: 'AsyncAPI room' }).expect(201)).body;
  await t.http().post(`/v1/rooms/${room.id}/join`).set(b.auth).expect(200);
  const q = (await t.http().post(`/v1/rooms/${room.id}/questions`).set(b.auth).send({ text: 'what is this?' }).expect(201)).body;
  await t.http().patch(`/v1/rooms/${room.id}/questions/${q.id}`).set(a.auth).send({ status: 'pinned' }).expect(200);

  const all = () => [...inboxes.values()].flatMap((i) => i.events);
  await until(
    'every event type on some socket',
    async () => {
      const names = new Set(all().map((e) => e.name));
      return [...EVENT_TYPES, 'typing'].every((n) => names.has(n));
    },
    30000,
  );

  const validators = new Map<string, ReturnType<typeof validatorFor>>();
  const problems: string[] = [];
  const check = (name: string, payload: unknown) => {
    if (!validators.has(name)) validators.set(name, validatorFor(name));
    const v = validators.get(name)!;
    if (!v(payload)) problems.push(`${name}: ${JSON.stringify(v.errors)} in ${JSON.stringify(payload)}`);
  };
  const events = all();
  for (const e of events) {
    expect(doc.components.messages[e.name]).toBeDefined();
    check(e.name, e.payload);
  }
  check('message.send.ack', ack);
  check('message.send.ack', refused);
  check('typing.ack', typingAck);
  expect(problems).toEqual([]);
  // A payload that breaks the schema is caught (the check is not vacuous).
  expect(validatorFor('message.created')({ type: 'message.created', cursor: '1', message: { id: 'x' } })).toBe(false);
  expect(
    validatorFor('read.updated')({ type: 'message.created', cursor: '1', conversationId: conv.id, userId: b.id, seq: 1, readSeq: 1 }),
  ).toBe(false);
  expect(events.length).toBeGreaterThan(15);
});
