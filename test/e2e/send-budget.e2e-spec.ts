import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser } from '../support/factories';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'send_budget', env: { LIMIT_SEND_BURST: '3/60' } });
});
afterAll(async () => {
  await t?.close();
});

it('a spent send budget is 429 with Retry-After, but a retry of a stored clientId still gets 200 and the original', async () => {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  const conv = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
  ).body;
  const sent = [];
  for (let i = 0; i < 3; i++) {
    sent.push(
      (
        await t
          .http()
          .post(`/v1/conversations/${conv.id}/messages`)
          .set(a.auth)
          .send({ clientId: `k${i}`, text: `m${i}` })
          .expect(201)
      ).body,
    );
  }
  const refused = await t.http().post(`/v1/conversations/${conv.id}/messages`).set(a.auth).send({ clientId: 'k3', text: 'one too many' });
  expect(refused.status).toBe(429);
  expectErrorShape(refused.body, 429, 'rate_limited');
  expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  const replay = await t.http().post(`/v1/conversations/${conv.id}/messages`).set(a.auth).send({ clientId: 'k1', text: 'm1' });
  expect(replay.status).toBe(200);
  expect(replay.body).toEqual(sent[1]);
});
