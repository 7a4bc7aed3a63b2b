import { Client } from 'pg';
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
  sleep,
  waitFor,
  type Database,
} from './support/cluster';

/**
 * SIGTERM while sends are in flight: the process stops accepting, finishes what it took,
 * and exits (Nest re-raises the signal after closing). Every send the server had accepted before
 * the signal finishes with 201, is stored exactly once, and the outbox is drained before exit.
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

  it('every send accepted before SIGTERM (provably in flight: blocked in PostgreSQL, or queued behind one that is) finishes with 201, is stored once, the outbox is drained empty, and the process exits on the signal', async () => {
    const a = await register(api.url, 'ta');
    // C conversations, PER sends each: the first send of each waits on the conversation's row
    // lock in PostgreSQL, the others wait behind it in the process's per-conversation queue
    // (messages/conversation-queue.ts), so both places a send can be in flight are covered.
    const C = 6;
    const PER = 2;
    const N = C * PER; // below the pool size (20)
    const convs: string[] = [];
    for (let k = 0; k < C; k++) {
      const b = await register(api.url, `tb${k}`);
      await follow(api.url, b, a);
      convs.push(await conversation(api.url, a, [b]));
    }
    const lock = new Client({ connectionString: db.url });
    // A second session to watch from: pg_stat_activity is a snapshot per transaction, and lock sits in one.
    const probe = new Client({ connectionString: db.url });
    await lock.connect();
    await probe.connect();
    try {
      // Hold the conversation rows: every send reaches SEND_SQL (or its conversation's queue) and waits there, inside the server.
      await lock.query('BEGIN');
      await lock.query('SELECT id FROM conversation WHERE id = ANY($1::uuid[]) FOR UPDATE', [convs]);
      const inFlight = Array.from({ length: N }, (_, i) =>
        send(api.url, a, convs[i % C], `term-${i}`, `message ${i}`, 30000).then((res) => ({
          i,
          status: res.status,
          body: res.body as any,
        })),
      );
      const lockWaiters = async () =>
        (
          await probe.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> $1 AND state = 'active' AND wait_event_type = 'Lock'`,
            [(lock as any).processID],
          )
        ).rows[0].n as number;
      await waitFor(
        'one send per conversation to be waiting on the row lock inside the server',
        async () => (await lockWaiters()) === C,
        15000,
        25,
      );
      // Give the queued sends time to arrive (they are on their own connections, already sent).
      await sleep(300);
      // One per conversation in PostgreSQL, never more: the others are queued in the process
      // (read again after the wait, when every send has reached the server).
      expect(await lockWaiters()).toBe(C);
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        api.child!.once('exit', (code, signal) => resolve({ code, signal })),
      );
      api.child!.kill('SIGTERM');
      // Shutdown is under way while all N are in flight; then PostgreSQL lets them through.
      await sleep(500);
      expect(api.alive).toBe(true);
      await lock.query('COMMIT');
      const results = await Promise.all(inFlight);
      const exit = await exited;
      expect(results.map((r) => r.status)).toEqual(results.map(() => 201));
      // Nest closes the app, then re-raises SIGTERM on itself: the conventional exit for a signal.
      expect([exit.code === 0, exit.signal === 'SIGTERM']).toContain(true);

      const { rows } = await lock.query(
        'SELECT client_id, count(*)::int AS n FROM message WHERE conversation_id = ANY($1::uuid[]) GROUP BY client_id ORDER BY client_id',
        [convs],
      );
      expect(rows).toEqual(
        Array.from({ length: N }, (_, i) => ({ client_id: `term-${i}`, n: 1 })).sort((x, y) => x.client_id.localeCompare(y.client_id)),
      );
      const seqs = await lock.query('SELECT conversation_id, seq FROM message WHERE conversation_id = ANY($1::uuid[]) ORDER BY seq', [
        convs,
      ]);
      for (const c of convs) {
        expect(seqs.rows.filter((r) => r.conversation_id === c).map((r) => Number(r.seq))).toEqual(
          Array.from({ length: PER }, (_, k) => k + 1),
        );
      }
      // Drained before exit: nothing is left for a sweep to find.
      const outbox = await lock.query('SELECT count(*)::int AS n FROM outbox');
      expect(outbox.rows[0].n).toBe(0);
    } finally {
      await lock.end();
      await probe.end();
    }
  });
});
