import { randomUUID } from 'node:crypto';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';

/**
 * Issue #26, item 4 (API.md v1.2 "Messages", clarified): sends, edits and reactions are writes
 * every member hears of, so all three spend the same send budgets, the sustained one included.
 * A sustained budget of 6 an hour shows it within a few requests; the burst budget is out of the way.
 */
const SUSTAINED = 6;

let t: TestApp;
let db: Db;

beforeAll(async () => {
  t = await startTestApp({ label: 'writebudgets', env: { LIMIT_SEND_BURST: '1000/60', LIMIT_SEND_SUSTAINED: `${SUSTAINED}/3600` } });
  db = t.app.get(Db);
});
afterAll(async () => {
  await t?.close();
});

const send = (u: TestUser, conversationId: string, text: string) =>
  t.http().post(`/v1/conversations/${conversationId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
const edit = (u: TestUser, conversationId: string, messageId: string, text: string) =>
  t.http().patch(`/v1/conversations/${conversationId}/messages/${messageId}`).set(u.auth).send({ text });
const react = (u: TestUser, conversationId: string, messageId: string, emoji: string, method: 'put' | 'delete' = 'put') =>
  t
    .http()
    [method](`/v1/conversations/${conversationId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`)
    .set(u.auth);

/** Two users who follow each other, in an active direct conversation. */
async function chat() {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  await t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
  const c = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] })
    .expect(201);
  return { a, b, conversationId: c.body.id as string };
}

const expectLimited = (res: { status: number; body: unknown; headers: Record<string, string> }) => {
  expectErrorShape(res.body, 429, 'rate_limited');
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
};

describe('edits and reactions spend the sustained send budget', () => {
  it('once the sustained budget is spent by sends, an edit is 429 rate_limited: no version stored, the text unchanged', async () => {
    const { a, conversationId } = await chat();
    const sent: any[] = [];
    for (let i = 0; i < SUSTAINED; i++) sent.push((await send(a, conversationId, `message ${i}`).expect(201)).body);
    expectLimited(await send(a, conversationId, 'one too many'));
    const big = 'x'.repeat(3900);
    for (let i = 0; i < 3; i++) expectLimited(await edit(a, conversationId, sent[0].id, `${big} ${i}`));
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM message_version WHERE message_id = $1', [sent[0].id]);
    expect(n).toBe(0);
    const [row] = await db.query('SELECT text, edited_at FROM message WHERE id = $1', [sent[0].id]);
    expect(row).toEqual({ text: 'message 0', edited_at: null });
  });

  it('sends, edits and reactions draw on one budget: after six writes of any kind the next send, edit and reaction are all 429', async () => {
    const { a, b, conversationId } = await chat();
    const first = (await send(a, conversationId, 'first').expect(201)).body;
    const second = (await send(a, conversationId, 'second').expect(201)).body;
    expect((await edit(a, conversationId, first.id, 'first, edited')).status).toBe(200);
    expect((await edit(a, conversationId, second.id, 'second, edited')).status).toBe(200);
    expect((await react(a, conversationId, first.id, '👍')).status).toBe(204);
    expect((await react(a, conversationId, first.id, '👍', 'delete')).status).toBe(204);
    expectLimited(await send(a, conversationId, 'third'));
    expectLimited(await edit(a, conversationId, first.id, 'first, edited again'));
    expectLimited(await react(a, conversationId, second.id, '🎉'));

    // Reactions alone spend it too, and then the reactor cannot send either.
    for (let i = 0; i < SUSTAINED / 2; i++) {
      expect((await react(b, conversationId, first.id, '❤️')).status).toBe(204);
      expect((await react(b, conversationId, first.id, '❤️', 'delete')).status).toBe(204);
    }
    expectLimited(await react(b, conversationId, first.id, '❤️'));
    expectLimited(await send(b, conversationId, 'hello'));
    const [m] = await db.query('SELECT text, reactions FROM message WHERE id = $1', [first.id]);
    expect(m).toEqual({ text: 'first, edited', reactions: [] });
  });
});
