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
  const room = await t.http().post('/v1/rooms').set(a.auth).send({ title: LONE });
  rec('room title', room.status);
  const roomId = room.body.id;
  if (roomId) {
    await t.http().post(`/v1/rooms/${roomId}/join`).set(b.auth);
    rec('question', (await t.http().post(`/v1/rooms/${roomId}/questions`).set(b.auth).send({ text: LONE })).status);
    const conv = await t.http().post('/v1/conversations').set(b.auth).send({ participantIds: [a.id], roomId });
    rec('conversation from room', conv.status);
  }
  const group = await t.http().post('/v1/conversations').set(a.auth).send({ participantIds: [b.id, c.id], title: LONE });
  rec('group title', group.status);
  if (group.body.id) {
    const m = await t.http().post(`/v1/conversations/${group.body.id}/messages`).set(a.auth).send({ clientId: LONE, text: LONE });
    rec('message', m.status);
    if (m.body.id) {
      rec('report note', (await t.http().post('/v1/reports').set(b.auth).send({ subjectType: 'message', subjectId: m.body.id, reason: 'other', note: LONE })).status);
    }
  }
  expect(results.filter(([, s]) => s < 300).length).toBeGreaterThanOrEqual(5);
  for (const [what, status] of results) expect({ what, status: status < 500 }).toEqual({ what, status: true });
});
