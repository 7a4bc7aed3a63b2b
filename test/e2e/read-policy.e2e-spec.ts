import { randomBytes, randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Socket } from 'socket.io-client';
import { QueueName } from '@app/messaging/queues';
import { startTestApp, type TestApp } from '../support/app';
import { registerUser, type TestUser } from '../support/factories';
import { connectSocket, Inbox } from '../support/socket';
import { until } from '../support/wait';

/**
 * The read policy (STYLE.md convention 11, libs/messaging/src/policy/visibility.ts): "may this
 * member see this message now" is one predicate, so every path that renders a message to a
 * member (the message list, sync, the live push, search, the conversation's lastMessage, the
 * data export) agrees. Each case asks every path whether it reveals one message's text to one reader.
 */

let t: TestApp;
let scanQueue: Queue;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'read_policy', env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600' } });
  scanQueue = t.app.get<Queue>(getQueueToken(QueueName.LinkScan), { strict: false });
});
afterEach(async () => {
  await scanQueue?.resume();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const user = () => registerUser(t.url);
const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
async function conversation(a: TestUser, others: TestUser[]): Promise<string> {
  const res = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: others.map((o) => o.id) });
  expect(res.status).toBe(201);
  return res.body.id;
}
async function send(u: TestUser, convId: string, text: string): Promise<{ id: string; seq: number }> {
  const res = await t.http().post(`/v1/conversations/${convId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
  expect(res.status).toBe(201);
  return res.body;
}
const head = async (u: TestUser) => (await t.http().get('/v1/sync').set(u.auth).expect(200)).body.cursor as string;

/** A reader listening live, with a cursor from before the case, and a friend whose messages mark "everything before has been pushed". */
async function reader() {
  const [r, friend] = await Promise.all([user(), user()]);
  await follow(r, friend);
  const barrierConv = await conversation(friend, [r]);
  const socket = await connectSocket(t.url, r.token);
  sockets.push(socket);
  return { r, friend, barrierConv, inbox: new Inbox(socket), cursor: await head(r) };
}
type Reader = Awaited<ReturnType<typeof reader>>;

type RenderPath = 'list' | 'sync' | 'live' | 'search' | 'lastMessage' | 'export';
const word = () => `quokka${randomBytes(4).toString('hex')}`;
const shows = (m: any, id: string, w: string) => m?.id === id && typeof m.text === 'string' && m.text.includes(w);

/** Whether each render path reveals message `id` (text containing `w`) to the reader now. */
async function revealed(rd: Reader, convId: string, id: string, w: string, paths: RenderPath[]): Promise<Record<string, boolean>> {
  // Barrier: a later message pushed to the reader; a push of `id` would have come before it.
  const barrier = await send(rd.friend, rd.barrierConv, 'barrier');
  await rd.inbox.waitFor('message.created', (p) => p.message?.id === barrier.id);
  const out: Record<string, boolean> = {};
  for (const p of paths) {
    if (p === 'list') {
      const res = await t.http().get(`/v1/conversations/${convId}/messages`).set(rd.r.auth);
      out[p] = res.status === 200 && res.body.items.some((m: any) => shows(m, id, w));
    } else if (p === 'sync') {
      const res = await t.http().get(`/v1/sync?cursor=${rd.cursor}`).set(rd.r.auth).expect(200);
      out[p] = res.body.events.some((e: any) => shows(e.message, id, w));
    } else if (p === 'live') {
      out[p] = rd.inbox.events.some((e) => shows(e.payload?.message, id, w));
    } else if (p === 'search') {
      const res = await t.http().get(`/v1/search?q=${w}`).set(rd.r.auth).expect(200);
      out[p] = res.body.items.some((i: any) => i.messageId === id);
    } else if (p === 'export') {
      // One export a day: each case's reader is a fresh user, exported once.
      const asked = await t.http().post('/v1/me/export').set(rd.r.auth).expect(202);
      const ready = await until('export ready', async () => {
        const s = await t.http().get(`/v1/me/export/${asked.body.id}`).set(rd.r.auth).expect(200);
        return s.body.status === 'ready' ? s.body : null;
      });
      const archive = (await t.http().get(ready.url).set(rd.r.auth).expect(200)).body;
      out[p] = archive.conversations.some((c: any) => c.messages.some((m: any) => shows(m, id, w)));
    } else {
      const res = await t.http().get(`/v1/conversations/${convId}`).set(rd.r.auth);
      out[p] = res.status === 200 && shows(res.body.lastMessage, id, w);
    }
  }
  return out;
}
const all = (paths: RenderPath[], v: boolean) => Object.fromEntries(paths.map((p) => [p, v]));
const EVERY: RenderPath[] = ['list', 'sync', 'live', 'search', 'lastMessage', 'export'];

describe('read policy: every render path agrees on whether a member sees a message', () => {
  it('an active member sees a new message on every path (list, sync, live, search, lastMessage, export)', async () => {
    const rd = await reader();
    const [a, c] = await Promise.all([user(), user()]);
    await follow(rd.r, a);
    await follow(c, a);
    const g = await conversation(a, [rd.r, c]);
    const w = word();
    const m = await send(a, g, `look ${w}`);
    expect(await revealed(rd, g, m.id, w, EVERY)).toEqual(all(EVERY, true));
  });

  it('a message held for its pending link is on no path of the pending recipient', async () => {
    const rd = await reader();
    const stranger = await user();
    const conv = await conversation(stranger, [rd.r]);
    await rd.inbox.waitFor('request.created');
    await scanQueue.pause();
    const w = word();
    const m = await send(stranger, conv, `${w} see https://example.com/read-policy-${w}`);
    expect(await revealed(rd, conv, m.id, w, EVERY)).toEqual(all(EVERY, false));
  });

  it('a message sent after a member left the group is on none of their paths', async () => {
    const rd = await reader();
    const [a, c] = await Promise.all([user(), user()]);
    await follow(rd.r, a);
    await follow(c, a);
    const g = await conversation(a, [rd.r, c]);
    await t.http().delete(`/v1/conversations/${g}/members/me`).set(rd.r.auth).expect(204);
    const w = word();
    const m = await send(a, g, `after you left ${w}`);
    expect(await revealed(rd, g, m.id, w, EVERY)).toEqual(all(EVERY, false));
  });

  it('a message from someone the member blocks (a block made after both joined the group) is on none of their paths', async () => {
    const rd = await reader();
    const [a, c] = await Promise.all([user(), user()]);
    await follow(rd.r, c);
    await follow(a, c);
    const g = await conversation(c, [rd.r, a]);
    await t.http().put(`/v1/users/${a.id}/block`).set(rd.r.auth).expect(204);
    const w = word();
    const m = await send(a, g, `blocked one says ${w}`);
    expect(await revealed(rd, g, m.id, w, EVERY)).toEqual(all(EVERY, false));
  });

  it('a message sent after the member declined the request is on none of their paths', async () => {
    const rd = await reader();
    const stranger = await user();
    const conv = await conversation(stranger, [rd.r]);
    await t
      .http()
      .post(`/v1/conversations/${conv}/decline`)
      .set(rd.r.auth)
      .expect((res) => expect(res.status).toBeLessThan(300));
    const w = word();
    const m = await send(stranger, conv, `still there? ${w}`);
    expect(await revealed(rd, conv, m.id, w, EVERY)).toEqual(all(EVERY, false));
  });

  it('a removed (unsent) message shows its text on no path that renders it now (list, sync, search, lastMessage, export)', async () => {
    const rd = await reader();
    const [a, c] = await Promise.all([user(), user()]);
    await follow(rd.r, a);
    await follow(c, a);
    const g = await conversation(a, [rd.r, c]);
    const w = word();
    const m = await send(a, g, `oops ${w}`);
    await t.http().delete(`/v1/conversations/${g}/messages/${m.id}`).set(a.auth).expect(200);
    // The live push of the message happened while it was visible; what renders it now must not show the text.
    const now: RenderPath[] = ['list', 'sync', 'search', 'lastMessage', 'export'];
    expect(await revealed(rd, g, m.id, w, now)).toEqual(all(now, false));
  });
});
