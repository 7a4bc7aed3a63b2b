import { Client } from 'pg';
import { AppProcess, SHARED_REDIS_URL, clearRedisPrefix, conversation, follow, freshDatabase, newPrefix, register, send, sleep, type Database } from './support/cluster';

/**
 * SIGTERM while sends are in flight: the process stops accepting, finishes what it took,
 * and exits (Nest re-raises the signal after closing). Every send answered 201 is stored exactly once; nothing is answered 5xx.
 */
describe('fault: SIGTERM during a burst of sends', () => {
  let db: Database;
  let api: AppProcess;
  const prefix = newPrefix('term');

  beforeAll(async () => {
    db = await freshDatabase('term');
    api = await new AppProcess({ name: 'api', roles: 'api,worker', db, redisPrefix: prefix }).start();
  });

  afterAll(async () => {
    await api?.stop();
    await db?.drop();
    await clearRedisPrefix(SHARED_REDIS_URL, prefix);
  });

  it('finishes in-flight sends, answers nothing with a 5xx, and exits on the signal after closing', async () => {
    const a = await register(api.url, 'ta');
    const b = await register(api.url, 'tb');
    await follow(api.url, b, a);
    const conv = await conversation(api.url, a, [b]);
    const inFlight = Array.from({ length: 60 }, (_, i) =>
      send(api.url, a, conv, `term-${i}`, `message ${i}`).then(
        (res) => ({ i, status: res.status, id: (res.body as any)?.id as string | undefined }),
        () => ({ i, status: 0, id: undefined }),
      ),
    );
    await sleep(15);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => api.child!.once('exit', (code, signal) => resolve({ code, signal })));
    api.child!.kill('SIGTERM');
    const results = await Promise.all(inFlight);
    const exit = await exited;
    // Nest closes the app, then re-raises SIGTERM on itself: the conventional exit for a signal.
    expect([exit.code === 0, exit.signal === 'SIGTERM']).toContain(true);
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThan(0);

    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT client_id, count(*)::int AS n FROM message WHERE conversation_id = $1 GROUP BY client_id', [conv]);
      const stored = new Map(rows.map((r) => [r.client_id as string, r.n as number]));
      for (const r of created) expect(stored.get(`term-${r.i}`)).toBe(1);
      const seqs = await client.query('SELECT seq FROM message WHERE conversation_id = $1 ORDER BY seq', [conv]);
      expect(seqs.rows.map((r) => Number(r.seq))).toEqual(seqs.rows.map((_, k) => k + 1));
    } finally {
      await client.end();
    }
  });
});
