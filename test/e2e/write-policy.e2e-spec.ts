import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, type TestUser } from '../support/factories';
import { connectSocket, emitAck } from '../support/socket';

/**
 * The write policy (STYLE.md convention 11, libs/messaging/src/policy): every path that writes
 * into a conversation or a room is refused for the same reason with the same status and code.
 * Each case below builds its scene once and drives every write path that the rule concerns:
 * send (REST and socket), reply, edit, react, add member and room question.
 */

let t: TestApp;
let admin: { auth: Record<string, string> };
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'write_policy', env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600' } });
  admin = await loginStaff(t.url);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const user = () => registerUser(t.url);
const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
const block = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/block`).set(a.auth).expect(204);
async function conversation(a: TestUser, others: TestUser[]): Promise<string> {
  const res = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: others.map((o) => o.id) });
  expect(res.status).toBe(201);
  return res.body.id;
}
async function send(u: TestUser, convId: string, text = 'hello'): Promise<{ id: string; seq: number }> {
  const res = await t.http().post(`/v1/conversations/${convId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
  expect(res.status).toBe(201);
  return res.body;
}
async function room(host: TestUser, members: TestUser[]): Promise<string> {
  const res = await t.http().post('/v1/rooms').set(host.auth).send({ title: 'policy room' });
  expect(res.status).toBe(201);
  for (const m of members)
    await t
      .http()
      .post(`/v1/rooms/${res.body.id}/join`)
      .set(m.auth)
      .expect((r) => expect(r.status).toBeLessThan(300));
  return res.body.id;
}

/** What one write path is pointed at. */
interface Scene {
  writer: TestUser;
  conversationId: string;
  /** A message the writer edits and reacts to (their own where they have one). */
  message: { id: string; seq: number };
  /** The seq the writer replies to. */
  replySeq: number;
  groupId?: string;
  newcomer?: TestUser;
  roomId?: string;
}
interface Outcome {
  status: number | null;
  code: string | null;
}
type Path = 'send (REST)' | 'send (socket)' | 'reply' | 'edit' | 'react' | 'add member' | 'question';

const rest = (res: { status: number; body: any }): Outcome => ({ status: res.status, code: res.body?.code ?? null });
const paths: Record<Path, (s: Scene) => Promise<Outcome>> = {
  'send (REST)': async (s) =>
    rest(
      await t
        .http()
        .post(`/v1/conversations/${s.conversationId}/messages`)
        .set(s.writer.auth)
        .send({ clientId: randomUUID(), text: 'one more' }),
    ),
  'send (socket)': async (s) => {
    const socket = await connectSocket(t.url, s.writer.token);
    sockets.push(socket);
    const ack = await emitAck(socket, 'message.send', { conversationId: s.conversationId, clientId: randomUUID(), text: 'one more' });
    socket.close();
    // The socket carries no HTTP status: the code is the contract, and it must match REST's.
    return ack.error ? { status: null, code: ack.error.code } : { status: 201, code: null };
  },
  reply: async (s) =>
    rest(
      await t
        .http()
        .post(`/v1/conversations/${s.conversationId}/messages`)
        .set(s.writer.auth)
        .send({ clientId: randomUUID(), text: 'replying', replyTo: s.replySeq }),
    ),
  edit: async (s) =>
    rest(
      await t.http().patch(`/v1/conversations/${s.conversationId}/messages/${s.message.id}`).set(s.writer.auth).send({ text: 'edited' }),
    ),
  react: async (s) =>
    rest(
      await t
        .http()
        .put(`/v1/conversations/${s.conversationId}/messages/${s.message.id}/reactions/${encodeURIComponent('👍')}`)
        .set(s.writer.auth),
    ),
  'add member': async (s) =>
    rest(
      await t
        .http()
        .post(`/v1/conversations/${s.groupId}/members`)
        .set(s.writer.auth)
        .send({ userIds: [s.newcomer!.id] }),
    ),
  question: async (s) => rest(await t.http().post(`/v1/rooms/${s.roomId}/questions`).set(s.writer.auth).send({ text: 'a question?' })),
};

/** Drives each named path against the scene; every one must answer `expected` (the socket: its code). */
async function expectEveryPath(scene: Scene, which: Path[], expected: Outcome) {
  const got: Record<string, Outcome> = {};
  for (const p of which) got[p] = await paths[p](scene);
  const want: Record<string, Outcome> = {};
  for (const p of which)
    want[p] = p === 'send (socket)' ? { status: expected.code ? null : expected.status, code: expected.code } : expected;
  expect(got).toEqual(want);
}

const CONVERSATION_WRITES: Path[] = ['send (REST)', 'send (socket)', 'reply', 'edit', 'react'];

describe('write policy: the same case answers the same on every write path', () => {
  it('a restricted account gets 403 messaging_restricted from send, socket send, reply, edit, react, add member and question', async () => {
    const [a, b, c, newcomer, host] = await Promise.all([user(), user(), user(), user(), user()]);
    for (const u of [b, c, newcomer]) await follow(u, a);
    const direct = await conversation(a, [b]);
    const message = await send(a, direct);
    const groupId = await conversation(a, [b, c]);
    const roomId = await room(host, [a]);
    const res = await t
      .http()
      .post(`/admin/v1/users/${a.id}/actions`)
      .set(admin.auth)
      .send({ action: 'restrict_messaging', durationHours: 24, note: 'policy test' });
    expect(res.status).toBe(200);

    const scene: Scene = { writer: a, conversationId: direct, message, replySeq: message.seq, groupId, newcomer, roomId };
    await expectEveryPath(scene, [...CONVERSATION_WRITES, 'add member', 'question'], { status: 403, code: 'messaging_restricted' });
    // One refusal, one text: starting a conversation says exactly what a send says.
    const created = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [newcomer.id] });
    const sent = await t.http().post(`/v1/conversations/${direct}/messages`).set(a.auth).send({ clientId: randomUUID(), text: 'x' });
    expect(created.body).toEqual(sent.body);
  });

  it.each([
    ['the other member blocks the writer', 'other'],
    ['the writer blocks the other member', 'writer'],
  ])('a blocked pair (%s) gets 403 blocked from send, socket send, reply, edit, react and add member', async (_name, who) => {
    const [a, b, c, d] = await Promise.all([user(), user(), user(), user()]);
    for (const u of [b, c, d]) await follow(u, a);
    await follow(a, b);
    const direct = await conversation(a, [b]);
    const message = await send(a, direct);
    const theirs = await send(b, direct);
    const groupId = await conversation(a, [c, d]);
    if (who === 'other') await block(b, a);
    else await block(a, b);
    // The reply quotes the other member's message: a blocker no longer sees it, and is still told "blocked", not "no such target".
    const scene: Scene = { writer: a, conversationId: direct, message, replySeq: theirs.seq, groupId, newcomer: b };
    await expectEveryPath(scene, [...CONVERSATION_WRITES, 'add member'], { status: 403, code: 'blocked' });
  });

  it('a creator past the pending-request cap gets 403 request_pending_limit from send, socket send and reply; edits and reactions add no message and pass', async () => {
    const [a, b] = await Promise.all([user(), user()]);
    const direct = await conversation(a, [b]); // b does not follow a: a request
    const message = await send(a, direct);
    await send(a, direct);
    await send(a, direct);
    const scene: Scene = { writer: a, conversationId: direct, message, replySeq: message.seq };
    await expectEveryPath(scene, ['send (REST)', 'send (socket)', 'reply'], { status: 403, code: 'request_pending_limit' });
    await expectEveryPath(scene, ['edit'], { status: 200, code: null });
    await expectEveryPath(scene, ['react'], { status: 204, code: null });
  });

  it('a non-member gets 404 not_found from send, socket send, reply, edit, react, add member and question', async () => {
    const [a, b, c, stranger, newcomer, host] = await Promise.all([user(), user(), user(), user(), user(), user()]);
    for (const u of [b, c, newcomer]) await follow(u, a);
    const direct = await conversation(a, [b]);
    const message = await send(a, direct);
    const groupId = await conversation(a, [b, c]);
    const roomId = await room(host, [a]);
    const scene: Scene = { writer: stranger, conversationId: direct, message, replySeq: message.seq, groupId, newcomer, roomId };
    await expectEveryPath(scene, [...CONVERSATION_WRITES, 'add member', 'question'], { status: 404, code: 'not_found' });
  });

  it('a member who left a group gets 404 not_found from send, socket send, reply, edit, react and add member', async () => {
    const [a, b, c, newcomer] = await Promise.all([user(), user(), user(), user()]);
    for (const u of [b, c, newcomer]) await follow(u, a);
    const groupId = await conversation(a, [b, c]);
    const message = await send(b, groupId);
    await t.http().delete(`/v1/conversations/${groupId}/members/me`).set(b.auth).expect(204);
    const scene: Scene = { writer: b, conversationId: groupId, message, replySeq: message.seq, groupId, newcomer };
    await expectEveryPath(scene, [...CONVERSATION_WRITES, 'add member'], { status: 404, code: 'not_found' });
  });
});
