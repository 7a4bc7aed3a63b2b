import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { registerUser, type TestUser } from '../support/factories';

/**
 * API.md, audio rooms: a conversation started without `roomId` still carries the room as
 * context when the creator and every participant were in the same room that was live
 * within the last 7 days; the most recent such room wins.
 */
let t: TestApp;
let db: Db;
beforeAll(async () => {
  t = await startTestApp({ label: 'roomctx' });
  db = t.app.get(Db);
});
afterAll(async () => {
  await t?.close();
});

async function roomAttendedBy(host: TestUser, title: string, ...listeners: TestUser[]) {
  const room = await t.http().post('/v1/rooms').set(host.auth).send({ title });
  expect(room.status).toBe(201);
  for (const u of listeners) expect((await t.http().post(`/v1/rooms/${room.body.id}/join`).set(u.auth)).status).toBe(200);
  return room.body as { id: string; title: string };
}

const endRoom = async (host: TestUser, roomId: string, daysAgo: number) => {
  expect((await t.http().post(`/v1/rooms/${roomId}/end`).set(host.auth)).status).toBe(200);
  await db.query(`UPDATE room SET ended_at = now() - make_interval(days => $2) WHERE id = $1`, [roomId, daysAgo]);
};

const start = (creator: TestUser, ...others: TestUser[]) =>
  t
    .http()
    .post('/v1/conversations')
    .set(creator.auth)
    .send({ participantIds: others.map((o) => o.id) });

describe('room context without roomId', () => {
  it('two users who attended the same live room get context.roomId without naming it, and the recipient sees it', async () => {
    const [a, b] = [await registerUser(t.url), await registerUser(t.url)];
    const room = await roomAttendedBy(a, 'Night owls', b);
    const res = await start(a, b);
    expect(res.status).toBe(201);
    expect(res.body.context).toEqual({ roomId: room.id, roomTitle: 'Night owls' });
    const requests = (await t.http().get('/v1/conversations?folder=requests').set(b.auth).expect(200)).body.items;
    expect(requests.filter((c: any) => c.id === res.body.id)).toEqual([
      expect.objectContaining({ context: { roomId: room.id, roomTitle: 'Night owls' } }),
    ]);
  });

  it('a room that ended less than 7 days ago still counts', async () => {
    const [host, a, b] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    const room = await roomAttendedBy(host, 'Last week', a, b);
    await endRoom(host, room.id, 6);
    const res = await start(a, b);
    expect(res.status).toBe(201);
    expect(res.body.context).toEqual({ roomId: room.id, roomTitle: 'Last week' });
  });

  it('attendees of a room that ended 8 days ago get no context', async () => {
    const [host, a, b] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    const room = await roomAttendedBy(host, 'Long ago', a, b);
    await endRoom(host, room.id, 8);
    const res = await start(a, b);
    expect(res.status).toBe(201);
    expect(res.body.context).toBeNull();
  });

  it('with two shared rooms the most recent one wins (a live room over one that ended, the later of two live rooms)', async () => {
    const [host, a, b, c] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    const older = await roomAttendedBy(host, 'Older', a, b, c);
    const newer = await roomAttendedBy(host, 'Newer', a, b, c);
    await db.query(`UPDATE room SET created_at = now() - interval '2 hours' WHERE id = $1`, [older.id]);
    const both = await start(a, b);
    expect(both.status).toBe(201);
    expect(both.body.context).toEqual({ roomId: newer.id, roomTitle: 'Newer' });

    // Ended yesterday vs still live (created earlier): the live one is the more recent.
    await endRoom(host, newer.id, 1);
    const again = await start(a, c);
    expect(again.status).toBe(201);
    expect(again.body.context).toEqual({ roomId: older.id, roomTitle: 'Older' });
  });

  it('a participant who was not in the room means no context, for a direct chat and for a group', async () => {
    const [a, b, outsider] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    await roomAttendedBy(a, 'Members only', b);
    const direct = await start(a, outsider);
    expect(direct.status).toBe(201);
    expect(direct.body.context).toBeNull();
    const group = await start(a, b, outsider);
    expect(group.status).toBe(201);
    expect(group.body.context).toBeNull();
  });

  it('a creator who was not in the room gets no context from a room the participants shared', async () => {
    const [a, b, creator] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    await roomAttendedBy(a, 'Without the creator', b);
    const res = await start(creator, a, b);
    expect(res.status).toBe(201);
    expect(res.body.context).toBeNull();
  });
});
