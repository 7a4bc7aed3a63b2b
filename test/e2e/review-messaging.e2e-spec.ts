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
