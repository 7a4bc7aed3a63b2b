import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';
import { connectSocket, emitAck } from '../support/socket';
import { until } from '../support/wait';

/**
 * Edits, reactions, replies and search (issue #16, API.md "Messages" v1.1), with their
 * permission edges: what a caller may not see is 404, gated members cannot act, search never
 * reaches text a user may not read, and a report freezes every version of an edited message.
 */
let t: TestApp;
let db: Db;
let admin: { auth: { Authorization: string } };

beforeAll(async () => {
  t = await startTestApp({
    label: 'msgfeatures',
    env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600', LIMIT_REPORTS: '1000/3600' },
  });
  db = t.app.get(Db);
  admin = await loginStaff(t.url);
});
afterAll(async () => {
  await t?.close();
});

let n = 0;
const send = async (u: TestUser, conversationId: string, text: string, extra: Record<string, unknown> = {}) => {
  const res = await t
    .http()
    .post(`/v1/conversations/${conversationId}/messages`)
    .set(u.auth)
    .send({ clientId: `c-${++n}-${Math.random()}`, text, ...extra });
  expect(res.status).toBe(201);
  return res.body;
};
const edit = (u: TestUser, conversationId: string, messageId: string, body: unknown) =>
  t
    .http()
    .patch(`/v1/conversations/${conversationId}/messages/${messageId}`)
    .set(u.auth)
    .send(body as object);
const reaction = (u: TestUser, conversationId: string, messageId: string, emoji: string, method: 'put' | 'delete' = 'put') =>
  t
    .http()
    [method](`/v1/conversations/${conversationId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`)
    .set(u.auth);
const list = async (u: TestUser, conversationId: string) => {
  const res = await t.http().get(`/v1/conversations/${conversationId}/messages`).set(u.auth);
  expect(res.status).toBe(200);
  return res.body.items as any[];
};
const messageAs = async (u: TestUser, conversationId: string, id: string) => (await list(u, conversationId)).find((m) => m.id === id);
const search = (u: TestUser, query: Record<string, string>) => t.http().get('/v1/search').query(query).set(u.auth);
const head = async (u: TestUser) => (await t.http().get('/v1/sync').set(u.auth).expect(200)).body.cursor as string;
const syncFrom = async (u: TestUser, cursor: string) =>
  (await t.http().get('/v1/sync').query({ cursor }).set(u.auth).expect(200)).body.events as any[];

const follow = (who: TestUser, whom: TestUser) => t.http().put(`/v1/users/${whom.id}/follow`).set(who.auth).expect(204);

/** Two users who follow each other, in an active direct conversation. */
async function chat() {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  await follow(b, a);
  await follow(a, b);
  const c = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] });
  expect(c.status).toBe(201);
  return { a, b, conversationId: c.body.id as string };
}

/** A creator and `count` members who follow them, in an active group. */
async function group(count: number) {
  const a = await registerUser(t.url);
  const members: TestUser[] = [];
  for (let i = 0; i < count; i++) {
    const u = await registerUser(t.url);
    await follow(u, a);
    members.push(u);
  }
  const c = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: members.map((u) => u.id), title: 'g' });
  expect(c.status).toBe(201);
  return { a, members, conversationId: c.body.id as string };
}

/** A message request: `b` does not follow `a`, so `b` is pending. */
async function request() {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  const c = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] });
  expect(c.status).toBe(201);
  return { a, b, conversationId: c.body.id as string };
}

describe('edits', () => {
  it('the sender edits within 15 minutes: new text, editedAt, links found and scanned again, message.updated to members', async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'see you at noon');
    expect(m.editedAt).toBeNull();
    expect(m.replyTo).toBeNull();
    expect(m.reactions).toEqual([]);
    const cursor = await head(b);
    const res = await edit(a, conversationId, m.id, { text: '  see you at one, map: https://example.com/map  ' });
    expect(res.status).toBe(200);
    await expectContract(res, 'PATCH /v1/conversations/{id}/messages/{messageId}', 200);
    expect(res.body.text).toBe('see you at one, map: https://example.com/map');
    expect(res.body.editedAt).toEqual(expect.any(String));
    expect(res.body.links).toEqual([{ url: 'https://example.com/map', verdict: 'pending' }]);
    expect(res.body.seq).toBe(m.seq);
    const updated = await until('b hears of the edit', async () =>
      (await syncFrom(b, cursor)).find((e) => e.type === 'message.updated' && e.message.id === m.id),
    );
    expect(updated.message.text).toContain('see you at one');
    // The new link is scanned by the same machinery as a send's (the verdict lands on the row).
    await until('the edited link is scanned', async () => (await messageAs(b, conversationId, m.id))?.links[0]?.verdict !== 'pending');
    const occ = await db.query('SELECT url FROM link_occurrence WHERE message_id = $1', [m.id]);
    expect(occ.map((r) => r.url)).toEqual(['https://example.com/map']);
  });

  it('the same text rules as a send; only the sender may edit; others and non-members get 403/404', async () => {
    const { a, b, conversationId } = await chat();
    const stranger = await registerUser(t.url);
    const m = await send(a, conversationId, 'original');
    expectErrorShape((await edit(a, conversationId, m.id, { text: '   ' })).body, 400, 'invalid_text');
    expectErrorShape((await edit(a, conversationId, m.id, { text: 'a\u0001b' })).body, 400, 'invalid_text');
    expectErrorShape((await edit(a, conversationId, m.id, { text: 'x'.repeat(4001) })).body, 400, 'invalid_text');
    expectErrorShape((await edit(a, conversationId, m.id, { text: 'hi', image: 'x' })).body, 422, 'attachments_not_supported');
    expectErrorShape((await edit(a, conversationId, m.id, [1])).body, 400, 'invalid_request');
    expectErrorShape((await edit(b, conversationId, m.id, { text: 'not yours' })).body, 403, 'forbidden');
    expectErrorShape((await edit(stranger, conversationId, m.id, { text: 'nope' })).body, 404, 'not_found');
    expectErrorShape((await edit(a, conversationId, 'not-a-uuid', { text: 'nope' })).body, 404, 'not_found');
    expectErrorShape((await edit(a, conversationId, '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c9d', { text: 'nope' })).body, 404, 'not_found');
    expect((await messageAs(a, conversationId, m.id)).text).toBe('original');
  });

  it('after 15 minutes an edit is 403 edit_window_passed; a removed message cannot be edited', async () => {
    const { a, conversationId } = await chat();
    const old = await send(a, conversationId, 'old words');
    await db.query(`UPDATE message SET created_at = now() - interval '16 minutes' WHERE id = $1`, [old.id]);
    expectErrorShape((await edit(a, conversationId, old.id, { text: 'new words' })).body, 403, 'edit_window_passed');
    await expectError(
      await edit(a, conversationId, old.id, { text: 'new words' }),
      'PATCH /v1/conversations/{id}/messages/{messageId}',
      403,
      'edit_window_passed',
    );
    const recent = await send(a, conversationId, 'recent');
    await db.query(`UPDATE message SET created_at = now() - interval '14 minutes' WHERE id = $1`, [recent.id]);
    expect((await edit(a, conversationId, recent.id, { text: 'recent, edited' })).status).toBe(200);
    const gone = await send(a, conversationId, 'to unsend');
    await t.http().delete(`/v1/conversations/${conversationId}/messages/${gone.id}`).set(a.auth).expect(200);
    expectErrorShape((await edit(a, conversationId, gone.id, { text: 'back' })).body, 409, 'message_removed');
  });

  it("a report's evidence lists every version of the reported message, frozen at report time; the console shows them", async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'version one');
    expect((await edit(a, conversationId, m.id, { text: 'version two' })).status).toBe(200);
    expect((await edit(a, conversationId, m.id, { text: 'version three' })).status).toBe(200);
    // The same text again is a no-op: no version.
    expect((await edit(a, conversationId, m.id, { text: 'version three' })).status).toBe(200);
    const rep = await t.http().post('/v1/reports').set(b.auth).send({ subjectType: 'message', subjectId: m.id, reason: 'harassment' });
    expect(rep.status).toBe(201);
    // Edited after the report: the evidence does not change.
    expect((await edit(a, conversationId, m.id, { text: 'innocent now' })).status).toBe(200);
    const shown = await t.http().get(`/admin/v1/reports/${rep.body.id}`).set(admin.auth).expect(200);
    const reported = shown.body.evidence.messages.find((x: any) => x.id === m.id);
    expect(reported.text).toBe('version three');
    expect(reported.editedAt).toEqual(expect.any(String));
    expect(reported.versions.map((v: any) => [v.version, v.text])).toEqual([
      [1, 'version one'],
      [2, 'version two'],
    ]);
    expect(reported.versions[0]).toEqual(expect.objectContaining({ writtenAt: m.createdAt, replacedAt: expect.any(String) }));
    expect(shown.body.evidence.subject.message.versions).toHaveLength(2);
    // Staff still have every version, the end user only the current text.
    const all = await db.query('SELECT text FROM message_version WHERE message_id = $1 ORDER BY version', [m.id]);
    expect(all.map((r) => r.text)).toEqual(['version one', 'version two', 'version three']);
    expect((await messageAs(b, conversationId, m.id)).text).toBe('innocent now');
  });

  it('a message keeps at most 20 earlier versions: of 25 parallel edits exactly 20 are stored, the rest 409 edit_limit_reached; the current text again is still 200', async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'version zero');
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => edit(a, conversationId, m.id, { text: `parallel edit ${i}` })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(20);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(5);
    for (const r of refused) expectErrorShape(r.body, 409, 'edit_limit_reached');
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM message_version WHERE message_id = $1', [m.id]);
    expect(n).toBe(20);
    const current = (await messageAs(b, conversationId, m.id)).text;
    expect((await edit(a, conversationId, m.id, { text: current })).status).toBe(200);
    expectErrorShape((await edit(a, conversationId, m.id, { text: 'one more' })).body, 409, 'edit_limit_reached');
    expect((await messageAs(b, conversationId, m.id)).text).toBe(current);
  });

  it("a report's evidence holds at most 20 versions of a message: the original and the newest, with the count of those left out", async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'the current text');
    // A history longer than the cap, as a message edited before the cap existed has.
    await db.query('UPDATE message SET edited_at = now() WHERE id = $1', [m.id]);
    await db.query(
      `INSERT INTO message_version (message_id, conversation_id, version, text, links, written_at)
       SELECT $1, $2, v, 'version ' || v || ' ' || repeat('y', 3900), '[]'::jsonb, now() FROM generate_series(1, 60) v`,
      [m.id, conversationId],
    );
    const rep = await t.http().post('/v1/reports').set(b.auth).send({ subjectType: 'message', subjectId: m.id, reason: 'harassment' });
    expect(rep.status).toBe(201);
    const shown = await t.http().get(`/admin/v1/reports/${rep.body.id}`).set(admin.auth).expect(200);
    const reported = shown.body.evidence.messages.find((x: any) => x.id === m.id);
    expect(reported.versions.map((v: any) => v.version)).toEqual([1, ...Array.from({ length: 19 }, (_, i) => 42 + i)]);
    expect(reported.versionsOmitted).toBe(40);
    expect(reported.text).toBe('the current text');
  });
});

describe('reactions', () => {
  it('idempotent add and remove, counted per emoji with `me` per viewer, message.updated to members', async () => {
    const { a, members, conversationId } = await group(2);
    const [b, c] = members;
    const m = await send(a, conversationId, 'react to me');
    const cursorC = await head(c);
    await reaction(a, conversationId, m.id, '👍').expect(204);
    await expectContract(
      await reaction(a, conversationId, m.id, '👍'),
      'PUT /v1/conversations/{id}/messages/{messageId}/reactions/{emoji}',
      204,
    );
    await reaction(b, conversationId, m.id, '👍').expect(204);
    await reaction(b, conversationId, m.id, '👨‍👩‍👧').expect(204);
    await reaction(b, conversationId, m.id, '🇫🇷').expect(204);
    expect((await messageAs(a, conversationId, m.id)).reactions).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '👨‍👩‍👧', count: 1, me: false },
      { emoji: '🇫🇷', count: 1, me: false },
    ]);
    expect((await messageAs(c, conversationId, m.id)).reactions[0]).toEqual({ emoji: '👍', count: 2, me: false });
    const events = await until('c hears of the reactions', async () => {
      const e = (await syncFrom(c, cursorC)).filter((x) => x.type === 'message.updated' && x.message.id === m.id);
      return e.length >= 4 ? e : null;
    });
    expect(events).toHaveLength(4); // the repeated PUT wrote nothing
    for (const e of events) for (const r of e.message.reactions) expect(Object.keys(r).sort()).toEqual(['count', 'emoji', 'me']);
    await reaction(a, conversationId, m.id, '👍', 'delete').expect(204);
    await expectContract(
      await reaction(a, conversationId, m.id, '👍', 'delete'),
      'DELETE /v1/conversations/{id}/messages/{messageId}/reactions/{emoji}',
      204,
    );
    await reaction(b, conversationId, m.id, '🇫🇷', 'delete').expect(204);
    expect((await messageAs(a, conversationId, m.id)).reactions).toEqual([
      { emoji: '👍', count: 1, me: false },
      { emoji: '👨‍👩‍👧', count: 1, me: false },
    ]);
  });

  it('the live push carries `me` for its recipient', async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'live');
    const sa = await connectSocket(t.url, a.token);
    const sb = await connectSocket(t.url, b.token);
    try {
      const got = (s: any) => new Promise<any>((resolve) => s.on('message.updated', (e: any) => e.message.id === m.id && resolve(e)));
      const pa = got(sa);
      const pb = got(sb);
      await reaction(b, conversationId, m.id, '🔥').expect(204);
      expect((await pa).message.reactions).toEqual([{ emoji: '🔥', count: 1, me: false }]);
      expect((await pb).message.reactions).toEqual([{ emoji: '🔥', count: 1, me: true }]);
    } finally {
      sa.close();
      sb.close();
    }
  });

  it('anything but exactly one emoji is 400 invalid_request', async () => {
    const { a, conversationId } = await chat();
    const m = await send(a, conversationId, 'x');
    for (const bad of ['a', '👍👍', '👍a', ':)', '1', ' ', 'x'.repeat(70)]) {
      const res = await reaction(a, conversationId, m.id, bad);
      expect([bad, res.status]).toEqual([bad, 400]);
      expectErrorShape(res.body, 400, 'invalid_request');
    }
    await expectError(
      await reaction(a, conversationId, m.id, 'a'),
      'PUT /v1/conversations/{id}/messages/{messageId}/reactions/{emoji}',
      400,
      'invalid_request',
    );
    await expectError(
      await reaction(a, conversationId, m.id, 'a', 'delete'),
      'DELETE /v1/conversations/{id}/messages/{messageId}/reactions/{emoji}',
      400,
      'invalid_request',
    );
    const malformed = await t.http().put(`/v1/conversations/${conversationId}/messages/${m.id}/reactions/%F0%9F`).set(a.auth);
    expect(malformed.status).toBe(400);
    expect((await messageAs(a, conversationId, m.id)).reactions).toEqual([]);
  });

  it(`at most 20 different emoji: 25 parallel PUTs of distinct emoji store exactly 20, the rest 422 too_many_reactions (${RACE_ROUNDS} rounds, a fresh message each)`, async () => {
    const { a, members, conversationId } = await group(1);
    const emoji = [
      '😀',
      '😁',
      '😂',
      '🤣',
      '😃',
      '😄',
      '😅',
      '😆',
      '😉',
      '😊',
      '😋',
      '😎',
      '😍',
      '😘',
      '🥰',
      '😗',
      '😙',
      '🥲',
      '😚',
      '🙂',
      '🤗',
      '🤩',
      '🤔',
      '🫡',
      '🤨',
    ];
    let m: any;
    await raceRounds(RACE_ROUNDS, async (round) => {
      m = await send(a, conversationId, `pile on ${round}`);
      const results = await Promise.all(emoji.map((e, i) => reaction(i % 2 ? a : members[0], conversationId, m.id, e)));
      expect(results.filter((r) => r.status === 204)).toHaveLength(20);
      const refused = results.filter((r) => r.status !== 204);
      expect(refused).toHaveLength(5);
      for (const r of refused)
        await expectError(r, 'PUT /v1/conversations/{id}/messages/{messageId}/reactions/{emoji}', 422, 'too_many_reactions');
      expect((await messageAs(a, conversationId, m.id)).reactions).toHaveLength(20);
    });
    // An emoji already there can still be added to by another member.
    const present = (await messageAs(a, conversationId, m.id)).reactions[0].emoji;
    await reaction(members[0], conversationId, m.id, present).expect(204);
    await reaction(a, conversationId, m.id, present).expect(204);
  });

  it('gated like sending: a pending recipient 403, declined and departed members and non-members 404, blocked 403', async () => {
    const req = await request();
    const m = await send(req.a, req.conversationId, 'hello stranger');
    expectErrorShape((await reaction(req.b, req.conversationId, m.id, '👍')).body, 403, 'forbidden');
    const stranger = await registerUser(t.url);
    expectErrorShape((await reaction(stranger, req.conversationId, m.id, '👍')).body, 404, 'not_found');
    await t.http().post(`/v1/conversations/${req.conversationId}/decline`).set(req.b.auth).expect(200);
    expectErrorShape((await reaction(req.b, req.conversationId, m.id, '👍')).body, 404, 'not_found');

    const g = await group(2);
    const [b, c] = g.members;
    const gm = await send(g.a, g.conversationId, 'group words');
    await t.http().delete(`/v1/conversations/${g.conversationId}/members/me`).set(c.auth).expect(204);
    expectErrorShape((await reaction(c, g.conversationId, gm.id, '👍')).body, 404, 'not_found');
    // The sender blocked b after both were in the group: b may not react to their messages.
    await t.http().put(`/v1/users/${b.id}/block`).set(g.a.auth).expect(204);
    expectErrorShape((await reaction(b, g.conversationId, gm.id, '👍')).body, 403, 'blocked');
    // A direct conversation with a block either way: 403 blocked.
    const d = await chat();
    const dm = await send(d.a, d.conversationId, 'dm');
    await t.http().put(`/v1/users/${d.a.id}/block`).set(d.b.auth).expect(204);
    expect((await reaction(d.b, d.conversationId, dm.id, '👍')).status).toBe(404); // b no longer reads a's messages
    expectErrorShape((await reaction(d.a, d.conversationId, dm.id, '👍')).body, 403, 'blocked');
    // A removed message takes no reactions.
    const e = await chat();
    const em = await send(e.a, e.conversationId, 'bye');
    await t.http().delete(`/v1/conversations/${e.conversationId}/messages/${em.id}`).set(e.a.auth).expect(200);
    expectErrorShape((await reaction(e.b, e.conversationId, em.id, '👍')).body, 409, 'message_removed');
  });
});

describe('replies', () => {
  it('replyTo quotes a visible message of the conversation; the quote follows edits and unsend', async () => {
    const { a, b, conversationId } = await chat();
    const first = await send(a, conversationId, 'the quoted words');
    const reply = await send(b, conversationId, 'I agree', { replyTo: first.seq });
    expect(reply.replyTo).toEqual({ seq: first.seq, senderId: a.id, text: 'the quoted words' });
    expect((await messageAs(a, conversationId, reply.id)).replyTo.text).toBe('the quoted words');
    await edit(a, conversationId, first.id, { text: 'the quoted words, edited' }).expect(200);
    expect((await messageAs(a, conversationId, reply.id)).replyTo.text).toBe('the quoted words, edited');
    const cursor = await head(a);
    await t.http().delete(`/v1/conversations/${conversationId}/messages/${first.id}`).set(a.auth).expect(200);
    expect((await messageAs(b, conversationId, reply.id)).replyTo).toEqual({ seq: first.seq, senderId: a.id, text: null });
    // Sync renders the reply's current row: the quote is gone there too.
    await send(b, conversationId, 'later');
    const synced = (await syncFrom(a, '0')).find((e) => e.type === 'message.created' && e.message.id === reply.id);
    expect(synced.message.replyTo.text).toBeNull();
    expect(cursor).toEqual(expect.any(String));
    // A removed message cannot be replied to any more.
    expectErrorShape(
      (
        await t
          .http()
          .post(`/v1/conversations/${conversationId}/messages`)
          .set(b.auth)
          .send({ clientId: 'r-gone', text: 'hm', replyTo: first.seq })
      ).body,
      422,
      'reply_target_not_found',
    );
  });

  it('replyTo must be a seq the sender can see in this conversation: else 422 (non-members 404, bad types 400)', async () => {
    const { a, members, conversationId } = await group(2);
    const early = await send(a, conversationId, 'before you came');
    const late = await registerUser(t.url);
    await follow(late, a);
    await t
      .http()
      .post(`/v1/conversations/${conversationId}/members`)
      .set(a.auth)
      .send({ userIds: [late.id] })
      .expect(200);
    const post = (u: TestUser, body: Record<string, unknown>, conv = conversationId) =>
      t
        .http()
        .post(`/v1/conversations/${conv}/messages`)
        .set(u.auth)
        .send({ clientId: `r-${++n}`, text: 'reply', ...body });
    expectErrorShape((await post(late, { replyTo: early.seq })).body, 422, 'reply_target_not_found');
    expectErrorShape((await post(a, { replyTo: 999 })).body, 422, 'reply_target_not_found');
    const other = await chat();
    const elsewhere = await send(other.a, other.conversationId, 'other conversation');
    expect(elsewhere.seq).toBe(1);
    expectErrorShape((await post(a, { replyTo: 5 })).body, 422, 'reply_target_not_found');
    for (const bad of ['1', 0, -1, 1.5, {}, true]) expectErrorShape((await post(a, { replyTo: bad })).body, 400, 'invalid_request');
    expectErrorShape((await post(late, { replyTo: 1 }, other.conversationId)).body, 404, 'not_found');
    expect((await post(a, { replyTo: null })).status).toBe(201);

    // A member who joined later does not read a quote of what came before them.
    const reply = await send(members[0], conversationId, 'answering the early one', { replyTo: early.seq });
    expect(reply.replyTo.text).toBe('before you came');
    expect((await messageAs(late, conversationId, reply.id)).replyTo).toEqual({ seq: early.seq, senderId: a.id, text: null });
  });

  it('the socket message.send accepts replyTo with the same rules', async () => {
    const { a, b, conversationId } = await chat();
    const first = await send(a, conversationId, 'ping');
    const sb = await connectSocket(t.url, b.token);
    try {
      const ok = await emitAck(sb, 'message.send', { conversationId, clientId: 'sock-1', text: 'pong', replyTo: first.seq });
      expect(ok.message.replyTo).toEqual({ seq: first.seq, senderId: a.id, text: 'ping' });
      const bad = await emitAck(sb, 'message.send', { conversationId, clientId: 'sock-2', text: 'pong', replyTo: 42 });
      expect(bad.error.code).toBe('reply_target_not_found');
    } finally {
      sb.close();
    }
  });
});

describe('search', () => {
  it('finds words in conversations where I am active, best match first, paged; q of 2-200 characters', async () => {
    const { a, b, conversationId } = await chat();
    await send(a, conversationId, 'the zebracorn grazes');
    const best = await send(b, conversationId, 'zebracorn zebracorn zebracorn everywhere');
    await send(a, conversationId, 'nothing to see');
    const res = await search(a, { q: 'zebracorn' }).expect(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items[0]).toEqual({
      conversationId,
      messageId: best.id,
      seq: best.seq,
      senderId: b.id,
      snippet: expect.stringContaining('zebracorn'),
      createdAt: best.createdAt,
    });
    const page1 = await search(a, { q: 'zebracorn', limit: '1' }).expect(200);
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await search(a, { q: 'zebracorn', limit: '1', cursor: page1.body.nextCursor }).expect(200);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.items[0].messageId).not.toBe(page1.body.items[0].messageId);
    expect(page2.body.nextCursor).toBeNull();
    expect((await search(a, { q: 'zebracorn', conversationId }).expect(200)).body.items).toHaveLength(2);
    expectErrorShape((await search(a, { q: 'z' })).body, 400, 'invalid_request');
    await expectContract(res, 'GET /v1/search', 200);
    await expectError(await search(a, { q: 'z' }), 'GET /v1/search', 400, 'invalid_request');
    expectErrorShape((await search(a, { q: 'z'.repeat(201) })).body, 400, 'invalid_request');
    expectErrorShape((await t.http().get('/v1/search').set(a.auth)).body, 400, 'invalid_request');
    expectErrorShape((await search(a, { q: 'zebracorn', cursor: 'garbage' })).body, 400, 'invalid_cursor');
    expectErrorShape((await search(a, { q: 'zebracorn', conversationId: 'nope' })).body, 400, 'invalid_request');
    const stranger = await registerUser(t.url);
    expect((await search(stranger, { q: 'zebracorn' }).expect(200)).body.items).toEqual([]);
    expectErrorShape((await search(stranger, { q: 'zebracorn', conversationId })).body, 404, 'not_found');
    expect((await search(a, { q: '!!' }).expect(200)).body.items).toEqual([]);
  });

  it('never finds text of a conversation I left or from before I was added, nor removed messages, nor senders I block, nor a pending request', async () => {
    const { a, members, conversationId } = await group(2);
    const [b, c] = members;
    await send(a, conversationId, 'quokkaword before the newcomer');
    const late = await registerUser(t.url);
    await follow(late, a);
    await t
      .http()
      .post(`/v1/conversations/${conversationId}/members`)
      .set(a.auth)
      .send({ userIds: [late.id] })
      .expect(200);
    const after = await send(a, conversationId, 'quokkaword after the newcomer');
    const fromB = await send(b, conversationId, 'quokkaword from b');
    const unsent = await send(a, conversationId, 'quokkaword unsent');
    await t.http().delete(`/v1/conversations/${conversationId}/messages/${unsent.id}`).set(a.auth).expect(200);
    const ids = async (u: TestUser) =>
      ((await search(u, { q: 'quokkaword' }).expect(200)).body.items as any[]).map((x) => x.messageId).sort();

    expect(await ids(late)).toEqual([after.id, fromB.id].sort());
    expect(await ids(c)).toHaveLength(3);
    // c leaves: nothing of that conversation any more, not even what was sent while c was in it.
    await t.http().delete(`/v1/conversations/${conversationId}/members/me`).set(c.auth).expect(204);
    expect(await ids(c)).toEqual([]);
    // late blocks b: b's messages are gone from late's results.
    await t.http().put(`/v1/users/${b.id}/block`).set(late.auth).expect(204);
    expect(await ids(late)).toEqual([after.id]);

    const req = await request();
    await send(req.a, req.conversationId, 'quokkaword in a request');
    expect((await search(req.b, { q: 'quokkaword' }).expect(200)).body.items).toEqual([]);
    expectErrorShape((await search(req.b, { q: 'quokkaword', conversationId: req.conversationId })).body, 404, 'not_found');
    await t.http().post(`/v1/conversations/${req.conversationId}/accept`).set(req.b.auth).expect(200);
    expect((await search(req.b, { q: 'quokkaword' }).expect(200)).body.items).toHaveLength(1);
  });

  it('an edit is found by its new words, not its old ones', async () => {
    const { a, conversationId } = await chat();
    const m = await send(a, conversationId, 'platypusold words');
    await edit(a, conversationId, m.id, { text: 'platypusnew words' }).expect(200);
    expect((await search(a, { q: 'platypusold' }).expect(200)).body.items).toEqual([]);
    expect((await search(a, { q: 'platypusnew' }).expect(200)).body.items.map((x: any) => x.messageId)).toEqual([m.id]);
  });
});
