import { Db } from '@app/messaging/db/db.service';
import { OutboxRelay } from '@app/messaging/events/outbox-relay';
import { JobsService } from '@app/messaging/queues.module';
import { LinkScannerService } from '@app/messaging/links/link-scanner.service';
import { startTestApp, type TestApp } from '../support/app';
import { registerUser } from '../support/factories';
import { connectSocket, Inbox } from '../support/socket';
import { SAFE_OFFLINE } from '../support/link-verdicts';

let t: TestApp;
beforeAll(async () => {
  // API role only: the test drives the sweep itself instead of the worker's schedule.
  t = await startTestApp({ label: 'outbox', env: { APP_ROLES: 'api' } });
});
afterAll(async () => {
  await t?.close();
});

it('a job the queue did not take stays in the outbox until the sweep enqueues it; events-only rows are drained at once', async () => {
  const db = t.app.get(Db);
  const relay = t.app.get(OutboxRelay);
  const jobs = t.app.get(JobsService);
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  const conv = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201)
  ).body;

  // A message request (c does not follow a): a send in it counts against the request's cap,
  // which writes the spam-scoring job (a send with links writes none: its link_backlog row is the scan's queue).
  const c = await registerUser(t.url);
  const request = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [c.id] })
      .expect(201)
  ).body;
  await relay.flush();

  relay.registerEnqueuer(async () => {
    throw new Error('queue unavailable (test)');
  });
  await t.http().post(`/v1/conversations/${conv.id}/messages`).set(a.auth).send({ clientId: 'plain', text: 'no links here' }).expect(201);
  await t
    .http()
    .post(`/v1/conversations/${conv.id}/messages`)
    .set(a.auth)
    .send({ clientId: 'link', text: 'see example.com/x' })
    .expect(201);
  await t.http().post(`/v1/conversations/${request.id}/messages`).set(a.auth).send({ clientId: 'asked', text: 'hello?' }).expect(201);
  await relay.flush();
  const left = await db.query(`SELECT jobs FROM outbox`);
  expect(left).toHaveLength(1);
  expect(left[0].jobs).toEqual([expect.objectContaining({ name: 'score-sender', data: { senderId: a.id } })]);

  // The queue is back: the sweep enqueues the job and only then deletes the row.
  relay.registerEnqueuer((list) => jobs.enqueue(list));
  expect(await relay.sweep(0)).toBe(1);
  expect(await db.query(`SELECT 1 FROM outbox`)).toHaveLength(0);
});

it("scan jobs an older version's sends left in the outbox (one per message) go as one scan-messages job per drain; a lone one stays a scan-message job", async () => {
  const db = t.app.get(Db);
  const relay = t.app.get(OutboxRelay);
  const jobs = t.app.get(JobsService);
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  const conv = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201)
  ).body;
  try {
    relay.registerEnqueuer(async () => {
      throw new Error('queue unavailable (test)');
    });
    // As a send before the backlog scan wrote it: one row per message with links, holding its scan job.
    const olderSend = (messageId: string) =>
      db.query(`INSERT INTO outbox (events, jobs) VALUES ('[]'::jsonb, $1::jsonb)`, [
        JSON.stringify([{ name: 'scan-message', data: { messageId }, jobId: `scan-message-${messageId}` }]),
      ]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (
          await t
            .http()
            .post(`/v1/conversations/${conv.id}/messages`)
            .set(a.auth)
            .send({ clientId: `batch-${i}`, text: `see batch-${i}.example.com/x` })
            .expect(201)
        ).body.id,
      );
      await olderSend(ids[i]);
    }
    await relay.flush();
    expect(await db.query(`SELECT count(*)::int AS n FROM outbox`)).toEqual([{ n: 3 }]);

    // One drain (the sweep) moves the three rows: their scans go as one job.
    const moved: any[] = [];
    relay.registerEnqueuer(async (list) => {
      moved.push(...list);
    });
    expect(await relay.sweep(0)).toBe(3);
    expect(moved).toEqual([
      { name: 'scan-messages', data: { messageIds: ids }, jobId: expect.stringMatching(/^scan-messages-[0-9a-f]{40}$/) },
    ]);

    // A drain with one scan keeps the message's own job.
    moved.length = 0;
    const lone = (
      await t
        .http()
        .post(`/v1/conversations/${conv.id}/messages`)
        .set(a.auth)
        .send({ clientId: 'lone', text: 'see lone.example.com/x' })
        .expect(201)
    ).body;
    await olderSend(lone.id);
    expect(await relay.sweep(0)).toBe(1);
    expect(moved).toEqual([{ name: 'scan-message', data: { messageId: lone.id }, jobId: `scan-message-${lone.id}` }]);
  } finally {
    relay.registerEnqueuer((list) => jobs.enqueue(list));
  }
});

it('a send whose links are all settled, and a scan verdict, write no outbox row: the committing process pushes the event itself, and sync has the same event', async () => {
  const db = t.app.get(Db);
  const relay = t.app.get(OutboxRelay);
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  const conv = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201)
  ).body;
  const socket = await connectSocket(t.url, b.token);
  try {
    const inbox = new Inbox(socket);
    const cursor = (await t.http().get('/v1/sync').set(b.auth)).body.cursor;
    // Every outbox insert from here on is recorded, even one the relay deletes at once.
    await db.query(`CREATE TABLE outbox_seen (jobs jsonb, events jsonb)`);
    await db.query(
      `CREATE FUNCTION outbox_seen_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO outbox_seen VALUES (NEW.jobs, NEW.events); RETURN NEW; END $$`,
    );
    await db.query(`CREATE TRIGGER outbox_seen_tr AFTER INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_seen_fn()`);

    const plain = (
      await t
        .http()
        .post(`/v1/conversations/${conv.id}/messages`)
        .set(a.auth)
        .send({ clientId: 'plain-2', text: 'no links here' })
        .expect(201)
    ).body;
    const [live] = await inbox.waitFor('message.created', (p) => p.message.id === plain.id);
    const synced = (await t.http().get(`/v1/sync?cursor=${cursor}`).set(b.auth)).body.events;
    expect(synced).toEqual([live]);
    expect(live).toMatchObject({ type: 'message.created', message: { id: plain.id, text: 'no links here' } });

    // A pending link makes no job and no outbox row: its link_backlog row is the scan's queue.
    const linked = (
      await t
        .http()
        .post(`/v1/conversations/${conv.id}/messages`)
        .set(a.auth)
        .send({ clientId: 'link-2', text: 'see never-seen.example.com/y' })
        .expect(201)
    ).body;
    await inbox.waitFor('message.created', (p) => p.message.id === linked.id);
    await relay.flush();
    expect(await db.query(`SELECT jobs, events FROM outbox_seen`)).toEqual([]);
    expect(await db.query(`SELECT count(*)::int AS n FROM link_backlog WHERE message_id = $1`, [linked.id])).toEqual([{ n: 1 }]);

    // The backlog scan's verdict (message.updated) is pushed the same way: no outbox row either.
    expect(await t.app.get(LinkScannerService).scanBacklog()).toBeGreaterThanOrEqual(1);
    const [updated] = await inbox.waitFor('message.updated', (p) => p.message.id === linked.id);
    expect(updated.message.links).toEqual([{ url: 'http://never-seen.example.com/y', verdict: 'safe', ...SAFE_OFFLINE }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM outbox_seen`)).toEqual([{ n: 0 }]);
    const resynced = (await t.http().get(`/v1/sync?cursor=${cursor}`).set(b.auth)).body.events;
    expect(resynced.map((e: any) => e.type)).toEqual(['message.created', 'message.created', 'message.updated']);
    expect(resynced[2]).toEqual(updated);
  } finally {
    socket.close();
    await db.query(`DROP TRIGGER IF EXISTS outbox_seen_tr ON outbox`);
  }
});
