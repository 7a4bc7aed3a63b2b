import { Cluster } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { connectSocket } from '../support/socket';
import { clusterNodes, nodePid, startRedisCluster, stopRedisCluster, type RedisClusterState } from '../support/redis-cluster';
import {
  AppProcess,
  conversation,
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
  type User,
} from '../faults/support/cluster';

/**
 * A Redis Cluster master is SIGKILLed while messages flow through two API processes (one
 * also the worker). The cluster fails its slots over to the replica (~1-2 s); the app must
 * keep answering (a send may be slow or 503, never 500, and is retried with its clientId as
 * a client would), and afterwards every message exists exactly once: one row per clientId,
 * once in every member's sync, never twice on a socket, and live pushes flow again (the
 * sharded subscriber re-subscribed on the promoted replica). This test owns its cluster:
 * the project's shared one is untouched.
 */
describe('cluster: a Redis master dies under traffic', () => {
  let state: RedisClusterState;
  let db: Database;
  let api1: AppProcess;
  let api2: AppProcess;
  const prefix = newPrefix('rcf');
  const sockets: Socket[] = [];

  beforeAll(async () => {
    state = await startRedisCluster();
    db = await freshDatabase('rcfail');
    const env = { REDIS_CLUSTER_NODES: state.nodes };
    api1 = await new AppProcess({ name: 'api1', roles: 'api,worker', db, redisPrefix: prefix, env }).start();
    api2 = await new AppProcess({ name: 'api2', roles: 'api', db, redisPrefix: prefix, env }).start();
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all([api1?.stop(), api2?.stop()]);
    await db?.drop();
    if (state) stopRedisCluster(state);
  });

  it('loses nothing and doubles nothing; live delivery resumes on the promoted replica', async () => {
    const apis = [api1, api2];
    const members: User[] = [];
    for (let i = 0; i < 4; i++) members.push(await register(apis[i % 2].url, `rcf${i}`));
    const groupId = await conversation(api1.url, members[0], members.slice(1));
    const from = new Map<string, string>();
    for (const m of members) from.set(m.id, await syncCursor(api1.url, m));

    // Every member listens on both APIs.
    const received = new Map<Socket, string[]>();
    for (const m of members) {
      for (const api of apis) {
        const socket = await connectSocket(api.url, m.token);
        sockets.push(socket);
        const log: string[] = [];
        socket.on('message.created', (e: any) => log.push(e.message.id));
        received.set(socket, log);
      }
    }

    // The master that owns member 0's socket.io room channel: its pushes must fail over too.
    const admin = new Cluster(clusterNodes(state.nodes), { redisOptions: { maxRetriesPerRequest: 1 } });
    const channel = `${prefix}socket.io#/#user:${members[0].id}#`;
    const slot = Number(await admin.cluster('KEYSLOT', channel));
    const ranges = (await admin.cluster('SLOTS')) as unknown as Array<[number, number, [string, number, string]]>;
    const owner = ranges.find(([lo, hi]) => slot >= lo && slot <= hi)![2][1];
    admin.disconnect();

    const statuses: number[] = [];
    const sent: string[] = [];
    let sentCount = 0;
    let killed = false;
    const PER_MEMBER = 12;
    const traffic = members.map(async (m, i) => {
      for (let k = 0; k < PER_MEMBER; k++) {
        const clientId = `m${i}-${k}`;
        // A client retries the same clientId until it gets an answer: at most one message.
        for (let attempt = 0; ; attempt++) {
          const res = await send(apis[(i + k) % 2].url, m, groupId, clientId, `message ${k} from ${i}`, 20000);
          statuses.push(res.status);
          if (res.status === 201 || res.status === 200) {
            sent.push(res.body.id);
            sentCount++;
            break;
          }
          if (attempt > 40) throw new Error(`${clientId}: no answer after 40 attempts, last ${res.status} ${JSON.stringify(res.body)}`);
          await sleep(250);
        }
        if (!killed) await sleep(30);
      }
    });

    await waitFor('traffic to flow', async () => sentCount >= 10, 30000, 10);
    process.kill(nodePid(state, owner), 'SIGKILL');
    const killedAt = Date.now();
    killed = true;
    await Promise.all(traffic);

    // The replica takes the dead master's slots over. The sends above may all finish before it
    // does (they can avoid the dead master), so wait for the promotion (bounded by the cluster's
    // node timeout): the live-delivery step below then runs across the failover.
    const survivor = new Cluster(
      clusterNodes(state.nodes).filter((n) => n.port !== owner),
      { redisOptions: { maxRetriesPerRequest: 1 } },
    );
    try {
      const newOwner = await waitFor(
        "the replica's promotion",
        async () => {
          const slotsAfter = (await survivor.cluster('SLOTS')) as unknown as Array<[number, number, [string, number, string]]>;
          const port = slotsAfter.find(([lo, hi]) => slot >= lo && slot <= hi)?.[2][1];
          return port !== undefined && port !== owner ? port : null;
        },
        30000,
        100,
      );
      expect(newOwner).not.toBe(owner);
    } finally {
      survivor.disconnect();
    }
    expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect({ api1: api1.alive, api2: api2.alive }).toEqual({ api1: true, api2: true });

    // One row per clientId, seqs without gaps.
    const rows = await db.query<{ id: string; client_id: string; seq: string }>(
      'SELECT id, client_id, seq FROM message WHERE conversation_id = $1 ORDER BY seq',
      [groupId],
    );
    expect(rows).toHaveLength(members.length * PER_MEMBER);
    expect(new Set(rows.map((r) => r.client_id)).size).toBe(members.length * PER_MEMBER);
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
    const expected = rows.map((r) => r.id).sort();
    expect([...new Set(sent)].sort()).toEqual(expected);

    // Sync: every message exactly once for every member.
    for (const [i, m] of members.entries()) {
      const events = await syncAll(apis[i % 2].url, m, from.get(m.id)!);
      const created = tally(events.filter((e) => e.type === 'message.created').map((e) => e.message.id));
      expect([...created.keys()].sort()).toEqual(expected);
      expect([...created.values()].every((n) => n === 1)).toBe(true);
    }
    // Sockets: a push lost in the failover is what sync is for, but none arrives twice.
    for (const log of received.values()) expect([...tally(log).values()].every((n) => n === 1)).toBe(true);

    // Live delivery works again, through both APIs, to member 0's room on the promoted replica.
    // The sharded subscriptions move to the promoted replica asynchronously: a push sent before
    // they are back is recovered by sync (checked above), so keep sending until one message
    // reaches every socket live.
    let n = 0;
    await waitFor(
      'a message sent after the failover to reach every socket live',
      async () => {
        const after = await send(api2.url, members[1], groupId, `after-failover-${++n}`, 'still here');
        expect(after.status).toBe(201);
        const deadline = Date.now() + 3000;
        while (Date.now() < deadline) {
          if ([...received.values()].every((log) => log.includes(after.body.id))) return true;
          await new Promise((r) => setTimeout(r, 100));
        }
        return false;
      },
      45000,
    );
    // How long live pushes were interrupted (docs/SCALING.md quotes this line).
    process.stderr.write(
      `redis master failover: live pushes reached every socket again ${Date.now() - killedAt} ms after the SIGKILL (${n} probe message(s))\n`,
    );
  });
});
