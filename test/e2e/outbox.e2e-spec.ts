import { Db } from '@app/messaging/db/db.service';
import { OutboxRelay } from '@app/messaging/events/outbox-relay';
import { JobsService } from '@app/messaging/queues.module';
import { startTestApp, type TestApp } from '../support/app';
import { registerUser } from '../support/factories';

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
  const conv = (await t.http().post('/v1/conversations').set(a.auth).send({ participantIds: [b.id] }).expect(201)).body;

  relay.registerEnqueuer(async () => {
    throw new Error('queue unavailable (test)');
  });
  await t.http().post(`/v1/conversations/${conv.id}/messages`).set(a.auth).send({ clientId: 'plain', text: 'no links here' }).expect(201);
  const linked = (await t.http().post(`/v1/conversations/${conv.id}/messages`).set(a.auth).send({ clientId: 'link', text: 'see example.com/x' }).expect(201)).body;
  await relay.flush();
  const left = await db.query(`SELECT jobs FROM outbox`);
  expect(left).toHaveLength(1);
  expect(left[0].jobs).toEqual([expect.objectContaining({ name: 'scan-message', data: { messageId: linked.id } })]);

  // The queue is back: the sweep enqueues the job and only then deletes the row.
  relay.registerEnqueuer((list) => jobs.enqueue(list));
  expect(await relay.sweep(0)).toBe(1);
  expect(await db.query(`SELECT 1 FROM outbox`)).toHaveLength(0);
});
