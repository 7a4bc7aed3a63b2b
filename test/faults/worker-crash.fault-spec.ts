import { Client } from 'pg';
import Redis from 'ioredis';
import { Queue } from 'bullmq';
import { JobName, QueueName } from '@app/messaging/queues';
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
  waitFor,
  type Database,
  type User,
} from './support/cluster';

/**
 * A link-scan worker is SIGKILLed while it is inside a scan (its backlog batch blocked on the
 * message's row lock, which this test holds, so "mid-scan" is certain rather than a race).
 * The API-only process that took the send woke the workers with a scan-backlog job; BullMQ
 * delivers at least once: the job comes back and the restarted worker scans the backlog row
 * the dead one had claimed (its transaction never committed), and a scan may come back once
 * more. The link must end with exactly one verdict: one message.updated per member, one
 * sighting in the cache, one stamped occurrence.
 */
describe('fault: a link-scan worker killed mid-scan', () => {
  let db: Database;
  let api: AppProcess;
  let worker: AppProcess;
  let queue: Queue;
  let redis: Redis;
  const prefix = newPrefix('wk');
  const bullPrefix = `${prefix}bull`;
  // The sweep of pending links is pushed out of the way: recovery here is BullMQ's redelivery.
  const workerEnv = { LINK_PENDING_SWEEP_SECONDS: '3600' };

  beforeAll(async () => {
    db = await freshDatabase('worker');
    api = await new AppProcess({ name: 'api', roles: 'api', db, redisPrefix: prefix }).start();
    worker = new AppProcess({ name: 'worker', roles: 'worker', db, redisPrefix: prefix, env: workerEnv });
    redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(QueueName.LinkScan, { connection: redis, prefix: bullPrefix });
  });

  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await Promise.all([api?.stop(), worker?.stop()]);
    await db?.drop();
    await clearRedisPrefix(SHARED_REDIS_URL, prefix);
  });

  it('gives the link exactly one verdict after the worker is SIGKILLed during the scan and restarted', async () => {
    const a: User = await register(api.url, 'wka');
    const b: User = await register(api.url, 'wkb');
    await follow(api.url, a, b);
    const conversationId = await conversation(api.url, a, [b]);
    const bFrom = await syncCursor(api.url, b);

    const sent = await send(api.url, a, conversationId, 'link-1', 'read this https://docs.example.org/guide/intro please');
    expect(sent.status).toBe(201);
    const messageId: string = sent.body.id;
    expect(sent.body.links).toEqual([{ url: expect.stringContaining('docs.example.org/guide/intro'), verdict: 'pending' }]);
    // No job per message: the API-only process adds a scan-backlog job after the send.
    const wake = await waitFor(
      'the scan-backlog job in the queue',
      async () => (await queue.getJobs(['waiting'])).find((j) => j.name === JobName.ScanBacklog) ?? null,
    );
    const jobId = wake.id!;

    // Hold the message row so the worker's backlog batch blocks on it (its settle locks the row).
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM message WHERE id = $1 FOR UPDATE', [messageId]);
      await worker.start();
      await waitFor('the worker blocked inside the scan', async () => {
        const rows = await db.query(
          `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query ILIKE '%DELETE FROM link_backlog%'`,
          [db.name],
        );
        return rows.length > 0;
      });
      expect(await (await queue.getJob(jobId))!.getState()).toBe('active');

      await worker.kill('SIGKILL');
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }

    // The dead worker wrote nothing: its transaction never got past the lock.
    await waitFor("the dead worker's backend to go away", async () => {
      const rows = await db.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND query ILIKE '%link_backlog%' AND state <> 'idle'`,
        [db.name],
      );
      return rows.length === 0;
    });
    // The dead worker's batch is all or nothing, and it is nothing: its transaction never
    // committed, so the backlog row it had claimed is back for the next scan.
    const [pending] = await db.query('SELECT links FROM message WHERE id = $1', [messageId]);
    const [{ n: updatesBefore }] = await db.query(
      `SELECT count(*)::int AS n FROM conversation_event WHERE type = 'message.updated' AND message_id = $1`,
      [messageId],
    );
    expect({ verdicts: pending.links.map((l: any) => l.verdict), updates: updatesBefore }).toEqual({ verdicts: ['pending'], updates: 0 });
    expect(await db.query('SELECT count(*)::int AS n FROM link_backlog WHERE message_id = $1', [messageId])).toEqual([{ n: 1 }]);
    expect(await (await queue.getJob(jobId))!.getState()).toBe('active'); // orphaned: nobody holds it

    // Fast-forward BullMQ's clock instead of sleeping through it: the dead worker's job lock
    // expires (lockDuration, 30 s) and a stalled-check has flagged the job (stalledInterval,
    // 30 s). The restarted worker's first stalled check then hands the job back to a worker.
    const keys = `${bullPrefix}:${QueueName.LinkScan}`;
    await redis.del(`${keys}:${jobId}:lock`, `${keys}:stalled-check`);
    await redis.sadd(`${keys}:stalled`, jobId);

    await worker.start();
    await waitFor('the redelivered scan to finish', async () => (await (await queue.getJob(jobId))?.getState()) === 'completed', 30000);

    const [scanned] = await db.query('SELECT links, state FROM message WHERE id = $1', [messageId]);
    expect(scanned.state).toBe('visible');
    expect(scanned.links).toHaveLength(1);
    expect(['safe', 'suspicious']).toContain(scanned.links[0].verdict);

    expect(await db.query('SELECT count(*)::int AS n FROM link_backlog WHERE message_id = $1', [messageId])).toEqual([{ n: 0 }]);

    // The other half of at-least-once: a crash after the scan committed but before BullMQ
    // recorded completion delivers the same job again (it finds the backlog empty), and a
    // scan of the message itself (the pending sweep's, an edit's) comes after it.
    await (await queue.getJob(jobId))!.remove();
    await queue.add(JobName.ScanBacklog, {}, { jobId });
    await waitFor('the repeated scan to finish', async () => (await (await queue.getJob(jobId))?.getState()) === 'completed', 30000);
    const again = `scan-message-${messageId}`;
    await queue.add(JobName.ScanMessage, { messageId }, { jobId: again });
    await waitFor('the single scan to finish', async () => (await (await queue.getJob(again))?.getState()) === 'completed', 30000);

    // Exactly one verdict: one message.updated per member, one sighting of the URL, one scan stamp.
    const updates = await db.query(
      `SELECT u.user_id, count(*)::int AS n FROM conversation_event ce CROSS JOIN unnest(ce.audience) AS u(user_id)
        WHERE ce.type = 'message.updated' AND ce.message_id = $1 GROUP BY u.user_id ORDER BY u.user_id`,
      [messageId],
    );
    expect(updates.map((u) => u.n)).toEqual([1, 1]);
    expect(new Set(updates.map((u) => u.user_id))).toEqual(new Set([a.id, b.id]));
    const links = await db.query('SELECT verdict, seen_count, scanned_at FROM link WHERE url = $1', [scanned.links[0].url]);
    expect(links).toEqual([{ verdict: scanned.links[0].verdict, seen_count: 1, scanned_at: expect.any(Date) }]);
    const occurrences = await db.query('SELECT scanned_at FROM link_occurrence WHERE message_id = $1', [messageId]);
    expect(occurrences).toEqual([{ scanned_at: expect.any(Date) }]);

    // A client that syncs sees the message once and its verdict once.
    const events = (await syncAll(api.url, b, bFrom)).filter((e) => e.message?.id === messageId);
    expect(events.map((e) => e.type)).toEqual(['message.created', 'message.updated']);
    expect(events[1].message.links[0].verdict).toBe(scanned.links[0].verdict);
  });
});
