import { Client } from 'pg';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp, type TestDatabase } from '../support/app';
import { PrimaryWithReplica } from '../support/replica';
import { loginStaff, registerUser, type TestUser } from '../support/factories';
import { until } from '../support/wait';

/**
 * DATABASE_REPLICA_URL (issue #18): staff lists, the dashboard and history pages read from a
 * streaming replica when it has caught up with the primary, and from the primary when it has
 * not: with the replica's replay paused, a caller still sees their own writes at once.
 */
let cluster: PrimaryWithReplica;
let t: TestApp;
let db: TestDatabase;
let staff: { auth: { Authorization: string } };
let a: TestUser;
let b: TestUser;
let conversationId: string;

beforeAll(async () => {
  cluster = await new PrimaryWithReplica().start();
  const name = 'bc_replica';
  const admin = new Client({ connectionString: `${cluster.primaryBase}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  db = { name, url: `${cluster.primaryBase}/${name}`, drop: async () => undefined };
  t = await startTestApp({ db, env: { DATABASE_REPLICA_URL: `${cluster.replicaBase}/${name}` } });
  staff = await loginStaff(t.url);
  a = await registerUser(t.url);
  b = await registerUser(t.url);
  await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  const conv = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] });
  expect([200, 201]).toContain(conv.status);
  conversationId = conv.body.id;
}, 180_000);

afterAll(async () => {
  await t?.close();
  await cluster?.dispose();
});

const served = () => ({ ...t.app.get(Db).replica.served });

it('staff lists, the dashboard and history pages are read from the replica once it has caught up', async () => {
  const sent = await t
    .http()
    .post(`/v1/conversations/${conversationId}/messages`)
    .set(a.auth)
    .send({ clientId: 'r1', text: 'hello replica' });
  expect(sent.status).toBe(201);
  const start = served();
  const history = await t.http().get(`/v1/conversations/${conversationId}/messages`).set(b.auth);
  expect(history.status).toBe(200);
  expect(history.body.items.map((m: any) => m.id)).toContain(sent.body.id);
  expect((await t.http().get('/admin/v1/users').set(staff.auth)).status).toBe(200);
  expect((await t.http().get('/admin/v1/stats').set(staff.auth)).status).toBe(200);
  const end = served();
  // Six reads (history, the users page, four dashboard statements): most or all on the replica.
  expect(end.replica - start.replica).toBeGreaterThanOrEqual(3);
  // The replica really is one: in recovery, and it holds the message.
  expect((await cluster.onReplica('SELECT pg_is_in_recovery() AS r'))[0].r).toBe(true);
});

it('with the replica paused, a sender sees their new message in the history at once and staff see a new account (primary fallback)', async () => {
  await cluster.onReplica('SELECT pg_wal_replay_pause()');
  try {
    await until(
      'replay to be paused',
      async () => (await cluster.onReplica(`SELECT pg_get_wal_replay_pause_state() AS s`))[0].s === 'paused',
    );
    const sent = await t
      .http()
      .post(`/v1/conversations/${conversationId}/messages`)
      .set(a.auth)
      .send({ clientId: 'r2', text: 'written while paused' });
    expect(sent.status).toBe(201);
    const before = served();
    const history = await t.http().get(`/v1/conversations/${conversationId}/messages?beforeSeq=1000`).set(a.auth);
    expect(history.status).toBe(200);
    expect(history.body.items.map((m: any) => m.id)).toContain(sent.body.id);
    const fresh = await registerUser(t.url);
    const users = await t
      .http()
      .get(`/admin/v1/users?filter=${encodeURIComponent(JSON.stringify({ q: fresh.handle }))}`)
      .set(staff.auth);
    expect(users.status).toBe(200);
    expect(JSON.stringify(users.body)).toContain(fresh.id);
    const after = served();
    expect(after.primary - before.primary).toBeGreaterThanOrEqual(2);
    // The replica indeed does not have the new message.
    const onReplica = await cluster.onReplica('SELECT count(*)::int AS n FROM message WHERE id = $1', [sent.body.id], db.name);
    expect(onReplica[0].n).toBe(0);
  } finally {
    await cluster.onReplica('SELECT pg_wal_replay_resume()');
  }
  // Resumed: reads return to the replica by themselves.
  await until(
    'reads to be served by the replica again',
    async () => {
      const s = served().replica;
      await t.http().get('/admin/v1/users').set(staff.auth).expect(200);
      return served().replica > s;
    },
    15_000,
    200,
  );
});

it('a replica that is down costs nothing but the primary: reads keep answering', async () => {
  await cluster.stopReplica();
  const res = await t.http().get(`/v1/conversations/${conversationId}/messages`).set(b.auth);
  expect(res.status).toBe(200);
  expect((await t.http().get('/admin/v1/stats').set(staff.auth)).status).toBe(200);
});
