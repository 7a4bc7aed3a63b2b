import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser } from '../support/factories';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'review-messaging' });
});
afterAll(async () => {
  await t?.close();
});

describe('conversation list cursors', () => {
  it('a forged cursor whose time JavaScript accepts but PostgreSQL does not is 400 invalid_cursor, never a 500', async () => {
    const a = await registerUser(t.url);
    const uuid = '0190a000-0000-7000-8000-000000000000';
    for (const at of ['2020', '2020 1', '+275760-09-13T00:00:00.000Z']) {
      const cursor = Buffer.from(`${at}|${uuid}`).toString('base64url');
      const r = await t.http().get(`/v1/conversations?folder=inbox&cursor=${cursor}`).set(a.auth);
      expect(r.status).toBe(400);
      expectErrorShape(r.body, 400, 'invalid_cursor');
    }
  });
});

describe('re-opening a declined direct conversation', () => {
  it('the decliner starting the pair again is an accept: the other side gets conversation.updated showing them active', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    const c = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201);
    await t.http().post(`/v1/conversations/${c.body.id}/decline`).set(b.auth).expect(200);
    const head = (await t.http().get('/v1/sync').set(a.auth)).body.cursor;
    const again = await t
      .http()
      .post('/v1/conversations')
      .set(b.auth)
      .send({ participantIds: [a.id] });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: c.body.id, myState: 'active' });
    const sync = await t.http().get(`/v1/sync?cursor=${head}`).set(a.auth).expect(200);
    const updates = sync.body.events.filter((e: any) => e.type === 'conversation.updated' && e.conversation.id === c.body.id);
    expect(updates).toHaveLength(1);
    expect(updates[0].conversation.members.find((m: any) => m.userId === b.id).state).toBe('active');
  });
});
