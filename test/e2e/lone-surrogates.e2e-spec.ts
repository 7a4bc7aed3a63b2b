import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser } from '../support/factories';

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

  rec(
    'register displayName',
    (
      await t
        .http()
        .post('/v1/auth/register')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ handle: 'sur_rogate1', displayName: LONE, password: 'long enough pw' }))
    ).status,
  );
  rec('room title', (await t.http().post('/v1/rooms').set(a.auth).send({ title: LONE })).status);
  rec(
    'group title',
    (
      await t
        .http()
        .post('/v1/conversations')
        .set(a.auth)
        .send({ participantIds: [b.id, c.id], title: LONE })
    ).status,
  );
  // The fields below are reached on real resources made with plain text, so each one is tried.
  const room = await t.http().post('/v1/rooms').set(a.auth).send({ title: 'plain room' });
  expect(room.status).toBe(201);
  expect((await t.http().post(`/v1/rooms/${room.body.id}/join`).set(b.auth)).status).toBeLessThan(300);
  rec('question', (await t.http().post(`/v1/rooms/${room.body.id}/questions`).set(b.auth).send({ text: LONE })).status);
  rec(
    'conversation from room',
    (
      await t
        .http()
        .post('/v1/conversations')
        .set(b.auth)
        .send({ participantIds: [a.id], roomId: room.body.id })
    ).status,
  );
  const group = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id, c.id], title: 'plain group' });
  expect(group.status).toBe(201);
  rec(
    'message',
    (await t.http().post(`/v1/conversations/${group.body.id}/messages`).set(a.auth).send({ clientId: LONE, text: LONE })).status,
  );
  const plain = await t.http().post(`/v1/conversations/${group.body.id}/messages`).set(a.auth).send({ clientId: 'plain', text: 'plain' });
  expect(plain.status).toBe(201);
  rec(
    'report note',
    (await t.http().post('/v1/reports').set(b.auth).send({ subjectType: 'message', subjectId: plain.body.id, reason: 'other', note: LONE }))
      .status,
  );

  expect(results.map(([what]) => what)).toEqual([
    'register displayName',
    'room title',
    'group title',
    'question',
    'conversation from room',
    'message',
    'report note',
  ]);
  for (const [what, status] of results) expect({ what, status: status < 500 }).toEqual({ what, status: true });
});

it('a reply to a team message with a lone surrogate is answered and audited (as U+FFFD, like the stored text), never a 500', async () => {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  const staff = await loginStaff(t.url);
  await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  const conv = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201)
  ).body.id;
  const msg = (await t.http().post(`/v1/conversations/${conv}/messages`).set(a.auth).send({ clientId: 'm', text: 'plain' }).expect(201))
    .body.id;
  const report = (
    await t.http().post('/v1/reports').set(b.auth).send({ subjectType: 'message', subjectId: msg, reason: 'spam' }).expect(201)
  ).body.id;
  const caseId = (await t.http().get(`/admin/v1/reports/${report}`).set(staff.auth).expect(200)).body.caseId;
  const sent = await t
    .http()
    .post(`/admin/v1/cases/${caseId}/messages`)
    .set(staff.auth)
    .send({ recipientId: a.id, text: 'tell us more' })
    .expect(201);
  const reply = await t
    .http()
    .post(`/v1/notices/${sent.body.noticeId}/reply`)
    .set(a.auth)
    .set('Content-Type', 'application/json')
    .send(JSON.stringify({ text: LONE }));
  expect(reply.status).toBeLessThan(300);
  const audit = await t
    .http()
    .get(`/admin/v1/audit-log?filter=${encodeURIComponent(JSON.stringify({ action: 'case.reply' }))}`)
    .set(staff.auth)
    .expect(200);
  expect(audit.body.map((e: any) => e.after?.text)).toEqual(['odd \ufffd text \ufffd end']);
});
