import { startTestApp, type TestApp } from '../support/app';
import { registerUser } from '../support/factories';

/**
 * JSON allows a lone UTF-16 surrogate ("\ud800") but PostgreSQL's jsonb refuses it; user text
 * that ends up in a jsonb column (event payloads, room context, evidence) must never turn
 * that into a 500.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'surrogates' });
});
afterAll(async () => {
  await t?.close();
});

const LONE = 'odd \ud800 text \udfff end';

it('lone surrogates in every free-text field of the user API give 2xx or 4xx, never 5xx', async () => {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  const c = await registerUser(t.url);
  const results: Array<[string, number]> = [];
  const rec = (what: string, status: number) => results.push([what, status]);

  rec('register displayName', (await t.http().post('/v1/auth/register').set('Content-Type', 'application/json').send(JSON.stringify({ handle: 'sur_rogate1', displayName: LONE, password: 'long enough pw' }))).status);
  rec('room title', (await t.http().post('/v1/rooms').set(a.auth).send({ title: LONE })).status);
  rec('group title', (await t.http().post('/v1/conversations').set(a.auth).send({ participantIds: [b.id, c.id], title: LONE })).status);
  // The fields below are reached on real resources made with plain text, so each one is tried.
  const room = await t.http().post('/v1/rooms').set(a.auth).send({ title: 'plain room' });
  expect(room.status).toBe(201);
  expect((await t.http().post(`/v1/rooms/${room.body.id}/join`).set(b.auth)).status).toBeLessThan(300);
  rec('question', (await t.http().post(`/v1/rooms/${room.body.id}/questions`).set(b.auth).send({ text: LONE })).status);
  rec('conversation from room', (await t.http().post('/v1/conversations').set(b.auth).send({ participantIds: [a.id], roomId: room.body.id })).status);
  const group = await t.http().post('/v1/conversations').set(a.auth).send({ participantIds: [b.id, c.id], title: 'plain group' });
  expect(group.status).toBe(201);
  rec('message', (await t.http().post(`/v1/conversations/${group.body.id}/messages`).set(a.auth).send({ clientId: LONE, text: LONE })).status);
  const plain = await t.http().post(`/v1/conversations/${group.body.id}/messages`).set(a.auth).send({ clientId: 'plain', text: 'plain' });
  expect(plain.status).toBe(201);
  rec('report note', (await t.http().post('/v1/reports').set(b.auth).send({ subjectType: 'message', subjectId: plain.body.id, reason: 'other', note: LONE })).status);

  expect(results.map(([what]) => what)).toEqual(['register displayName', 'room title', 'group title', 'question', 'conversation from room', 'message', 'report note']);
  for (const [what, status] of results) expect({ what, status: status < 500 }).toEqual({ what, status: true });
});
