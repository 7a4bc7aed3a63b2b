import {
  AppProcess,
  SHARED_REDIS_URL,
  clearRedisPrefix,
  conversation,
  follow,
  freshDatabase,
  newPrefix,
  register,
  send,
  syncAll,
  syncCursor,
  tally,
  waitFor,
  type Database,
  type User,
} from './support/cluster';

/**
 * An API process is SIGKILLed while four clients stream sends at it, then restarted on the
 * same port. A client that got 201 must find its message stored exactly once; a client whose
 * request died in flight retries it with the same clientId and gets the one copy (200) or a
 * new one (201), never two; a recipient that syncs sees each message exactly once.
 */
describe('fault: an API process killed during a stream of sends', () => {
  let db: Database;
  let api: AppProcess;
  let worker: AppProcess;
  const prefix = newPrefix('api');

  beforeAll(async () => {
    db = await freshDatabase('api');
    api = await new AppProcess({ name: 'api', roles: 'api', db, redisPrefix: prefix }).start();
    worker = await new AppProcess({ name: 'worker', roles: 'worker', db, redisPrefix: prefix }).start();
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await db?.drop();
    await clearRedisPrefix(SHARED_REDIS_URL, prefix);
  });

  it('stores every acknowledged message exactly once and a syncing client gets each exactly once', async () => {
    const recipient: User = await register(api.url, 'rcpt');
    const senders: User[] = [];
    const conversations: string[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await register(api.url, `snd${i}`);
      await follow(api.url, s, recipient);
      conversations.push(await conversation(api.url, s, [recipient]));
      senders.push(s);
    }
    const from = await syncCursor(api.url, recipient);

    // Each sender streams its own numbered messages until its request fails (the crash).
    const acked = new Map<string, { sender: number; id: string; status: number }>();
    const inFlight: Array<{ sender: number; clientId: string }> = [];
    let killed = false;
    const stream = senders.map(async (s, i) => {
      for (let k = 0; ; k++) {
        const clientId = `s${i}-m${k}`;
        const res = await send(api.url, s, conversations[i], clientId, `message ${k} from sender ${i}`);
        if (res.status === 201) acked.set(clientId, { sender: i, id: res.body.id, status: 201 });
        else if (res.status === 0 && killed) {
          inFlight.push({ sender: i, clientId });
          return;
        } else throw new Error(`unexpected ${res.status} ${JSON.stringify(res.body)}`);
      }
    });
    await waitFor('a few dozen acknowledged sends', async () => acked.size >= 40, 30000, 5);
    killed = true;
    await api.kill('SIGKILL');
    await Promise.all(stream);
    expect(inFlight).toHaveLength(4); // each sender's last request died with the process (sent or not)

    await api.start(); // same port, same database: a plain restart

    // Retried with the same clientId: the one stored copy (200) or, if it never committed, a new one (201).
    for (const { sender, clientId } of inFlight) {
      const res = await send(api.url, senders[sender], conversations[sender], clientId, `retry of ${clientId}`);
      expect([200, 201]).toContain(res.status);
      acked.set(clientId, { sender, id: res.body.id, status: res.status });
    }
    // The stream goes on after the restart.
    for (let i = 0; i < senders.length; i++) {
      const res = await send(api.url, senders[i], conversations[i], `s${i}-after`, 'after the restart');
      expect(res.status).toBe(201);
      acked.set(`s${i}-after`, { sender: i, id: res.body.id, status: 201 });
    }

    // Stored: exactly the acknowledged messages, once each, with gap-free seqs per conversation.
    const rows = await db.query<{ id: string; client_id: string; conversation_id: string; seq: string }>(
      'SELECT id, client_id, conversation_id, seq FROM message ORDER BY conversation_id, seq',
    );
    expect(rows).toHaveLength(acked.size);
    const byClientId = new Map(rows.map((r) => [r.client_id, r]));
    for (const [clientId, a] of acked) expect(byClientId.get(clientId)?.id).toBe(a.id);
    for (const c of conversations) {
      const seqs = rows.filter((r) => r.conversation_id === c).map((r) => Number(r.seq));
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }

    // The recipient syncs from before the stream: every message exactly once.
    const created = (await syncAll(api.url, recipient, from)).filter((e) => e.type === 'message.created');
    const counts = tally(created.map((e) => e.message.id));
    expect(counts.size).toBe(acked.size);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (const a of acked.values()) expect(counts.get(a.id)).toBe(1);
    // Each sender's own view too.
    for (let i = 0; i < senders.length; i++) {
      const own = (await syncAll(api.url, senders[i], '0')).filter((e) => e.type === 'message.created').map((e) => e.message.id);
      const mine = [...acked.values()].filter((a) => a.sender === i).map((a) => a.id);
      expect(own.sort()).toEqual(mine.sort());
    }

    // Outbox rows the dead process never drained are swept by the worker, not left behind.
    await waitFor('the outbox to be drained', async () => (await db.query('SELECT count(*)::int AS n FROM outbox'))[0].n === 0, 20000, 250);
  });
});
