import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser } from '../support/factories';

/** GET /v1/me/blocks and /v1/me/restricted: the people settings list so a block or restrict can be undone. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'kept_distance' });
});
afterAll(async () => {
  await t?.close();
});

it('lists the people I block, newest first, page by page; an unblock removes them; nobody else’s blocks show', async () => {
  const me = await registerUser(t.url);
  const [a, b, c, other] = await Promise.all([1, 2, 3, 4].map(() => registerUser(t.url)));
  for (const u of [a, b, c]) await t.http().put(`/v1/users/${u.id}/block`).set(me.auth).expect(204);
  await t.http().put(`/v1/users/${me.id}/block`).set(other.auth).expect(204); // blocks me: not in my list
  await t.http().put(`/v1/users/${a.id}/block`).set(other.auth).expect(204);

  const first = await t.http().get('/v1/me/blocks').query({ limit: 2 }).set(me.auth);
  expect(first.status).toBe(200);
  expect(first.body.items.map((p: { handle: string }) => p.handle)).toEqual([c.handle, b.handle]);
  expect(first.body.items[0]).toEqual({
    id: c.id,
    handle: c.handle,
    displayName: c.handle,
    createdAt: expect.any(String),
    since: expect.any(String),
  });
  expect(typeof first.body.nextCursor).toBe('string');
  const second = await t.http().get('/v1/me/blocks').query({ limit: 2, cursor: first.body.nextCursor }).set(me.auth);
  expect(second.body).toEqual({ items: [expect.objectContaining({ id: a.id })], nextCursor: null });

  await t.http().delete(`/v1/users/${b.id}/block`).set(me.auth).expect(204);
  const after = await t.http().get('/v1/me/blocks').set(me.auth);
  expect(after.body.items.map((p: { id: string }) => p.id)).toEqual([c.id, a.id]);
  expect((await t.http().get('/v1/me/restricted').set(me.auth)).body).toEqual({ items: [], nextCursor: null });

  expectErrorShape((await t.http().get('/v1/me/blocks').query({ cursor: 'not-a-cursor' }).set(me.auth)).body, 400, 'invalid_cursor');
  expectErrorShape((await t.http().get('/v1/me/blocks').query({ limit: 0 }).set(me.auth)).body, 400, 'invalid_request');
  expect((await t.http().get('/v1/me/blocks')).status).toBe(401);
});

it('lists the people I restrict, and an unrestrict removes them', async () => {
  const me = await registerUser(t.url);
  const [a, b] = await Promise.all([1, 2].map(() => registerUser(t.url)));
  await t.http().put(`/v1/users/${a.id}/restrict`).set(me.auth).expect(204);
  await t.http().put(`/v1/users/${b.id}/restrict`).set(me.auth).expect(204);
  const list = await t.http().get('/v1/me/restricted').set(me.auth);
  expect(list.body).toEqual({ items: [expect.objectContaining({ id: b.id }), expect.objectContaining({ id: a.id })], nextCursor: null });
  await t.http().delete(`/v1/users/${b.id}/restrict`).set(me.auth).expect(204);
  expect((await t.http().get('/v1/me/restricted').set(me.auth)).body.items.map((p: { id: string }) => p.id)).toEqual([a.id]);
  expect((await t.http().get('/v1/me/blocks').set(me.auth)).body.items).toEqual([]);
});
