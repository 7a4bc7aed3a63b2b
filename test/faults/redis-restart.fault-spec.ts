import {
  AppProcess,
  PrivateRedis,
  call,
  conversation,
  follow,
  freshDatabase,
  newPrefix,
  register,
  send,
  sleep,
  syncAll,
  syncCursor,
  tally,
  waitFor,
  type Database,
  type Res,
  type User,
} from './support/cluster';

/**
 * Redis goes away under traffic and comes back (empty: no persistence). The app, one process
 * with both roles as `npm start` runs it, must answer 201 or 503 service_unavailable (never a
 * 500, never a crash, never an unbounded wait), store nothing twice and lose nothing it
 * acknowledged, and work again by itself once Redis is back. This test owns its redis-server: the shared one is untouched.
 */
describe('fault: Redis restarted during traffic', () => {
  let db: Database;
  let redis: PrivateRedis;
  let app: AppProcess;

  beforeAll(async () => {
    db = await freshDatabase('redis');
    redis = await new PrivateRedis().start();
    app = await new AppProcess({ name: 'app', roles: 'api,worker', db, redisPrefix: newPrefix('rd'), redisUrl: redis.url }).start();
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.dispose();
    await db?.drop();
  });

  it('answers 201 or 503 while Redis is down, corrupts nothing, and resumes by itself when Redis is back', async () => {
    const recipient: User = await register(app.url, 'rr');
    const senders: User[] = [];
    const conversations: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await register(app.url, `rs${i}`);
      await follow(app.url, s, recipient);
      conversations.push(await conversation(app.url, s, [recipient]));
      senders.push(s);
    }
    const from = await syncCursor(app.url, recipient);
    const pid = app.child!.pid;

    const outcomes: Array<{ sender: number; clientId: string; res: Res; ms: number }> = [];
    let stop = false;
    const traffic = senders.map(async (s, i) => {
      for (let k = 0; !stop; k++) {
        const clientId = `s${i}-m${k}`;
        const t0 = Date.now();
        const res = await send(app.url, s, conversations[i], clientId, `message ${k}`, 20000);
        outcomes.push({ sender: i, clientId, res, ms: Date.now() - t0 });
        if (res.status !== 201) await sleep(50); // a client backing off a little
      }
    });

    await waitFor('traffic to flow', async () => outcomes.filter((o) => o.res.status === 201).length >= 20, 20000, 10);
    await redis.stop('SIGKILL');
    // Health notices the outage (polled against a deadline, not after a fixed sleep).
    let health = await call(app.url, 'GET', '/health', undefined, undefined, 5000);
    await waitFor(
      'health to answer 503 while Redis is down',
      async () => {
        health = await call(app.url, 'GET', '/health', undefined, undefined, 5000);
        return health.status === 503;
      },
      15000,
      100,
    );
    expect({ status: health.status, alive: app.alive, log: app.alive ? '' : app.logTail() }).toEqual({ status: 503, alive: true, log: '' });
    // Redis stays down a while longer so the traffic meets the outage (a duration to hold, not a wait before an assert).
    await sleep(1500);
    await redis.start(); // same port, empty
    const restartedAt = outcomes.length;
    await waitFor(
      'sends to succeed again without any restart of the app',
      async () => outcomes.slice(restartedAt).some((o) => o.res.status === 201) && (await call(app.url, 'GET', '/health')).status === 200,
      30000,
      200,
    );
    const backAt = outcomes.length;
    await waitFor(
      'a few more sends after recovery',
      async () => outcomes.slice(backAt).filter((o) => o.res.status === 201).length >= 10,
      20000,
      20,
    );
    stop = true;
    await Promise.all(traffic);

    // Only the contract's answers: 201, or 503 service_unavailable with the error shape.
    const statuses = tally(outcomes.map((o) => String(o.res.status)));
    expect([...statuses.keys()].filter((s) => s !== '201' && s !== '503')).toEqual([]);
    for (const o of outcomes.filter((x) => x.res.status === 503)) {
      expect(o.res.body).toEqual(expect.objectContaining({ statusCode: 503, code: 'service_unavailable', message: expect.any(String) }));
    }
    // Refused (503) or held until Redis answered again; a hang would have been a client timeout (status 0) above.
    expect(app.child!.pid).toBe(pid);
    expect(app.alive).toBe(true);

    // Clients retry what was refused, with the same clientId: now each is stored exactly once.
    for (const o of outcomes.filter((x) => x.res.status !== 201)) {
      const retry = await send(app.url, senders[o.sender], conversations[o.sender], o.clientId, 'retried');
      expect([200, 201]).toContain(retry.status);
      o.res = retry;
    }
    const acked = new Map(outcomes.map((o) => [o.clientId, o.res.body.id as string]));
    const rows = await db.query<{ id: string; client_id: string; conversation_id: string; seq: string }>(
      'SELECT id, client_id, conversation_id, seq FROM message',
    );
    expect(rows).toHaveLength(acked.size);
    for (const r of rows) expect(acked.get(r.client_id)).toBe(r.id);
    for (const c of conversations) {
      const seqs = rows
        .filter((r) => r.conversation_id === c)
        .map((r) => Number(r.seq))
        .sort((x, y) => x - y);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    const created = tally((await syncAll(app.url, recipient, from)).filter((e) => e.type === 'message.created').map((e) => e.message.id));
    expect(created.size).toBe(acked.size);
    expect([...created.values()].every((n) => n === 1)).toBe(true);

    // Background work resumed too: a link sent now is scanned by the same process's worker.
    const linked = await send(app.url, senders[0], conversations[0], 'after-link', 'see https://news.example.org/story/1');
    expect(linked.status).toBe(201);
    const verdict = await waitFor(
      'the link verdict after Redis came back',
      async () => {
        const [m] = await db.query('SELECT links FROM message WHERE id = $1', [linked.body.id]);
        return m.links[0].verdict !== 'pending' ? m.links[0].verdict : null;
      },
      30000,
      200,
    );
    expect(['safe', 'suspicious']).toContain(verdict);
  });
});
