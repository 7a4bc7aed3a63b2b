import Redis from 'ioredis';
import type { Socket } from 'socket.io-client';
import { connectSocket, emitAck } from '../support/socket';
import {
  AppProcess,
  SHARED_REDIS_URL,
  clearRedisPrefix,
  conversation,
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
 * Two API processes and one worker process on one database and one Redis. Members of a
 * group send through both APIs (REST and socket) at once while each member listens on a
 * socket of each API: every socket gets every message once, the worker's link verdict
 * reaches sockets on both APIs, the same clientId sent to both APIs at once is stored once,
 * and sync agrees with the sockets.
 */
describe('fault: two API processes and one worker', () => {
  let db: Database;
  let api1: AppProcess;
  let api2: AppProcess;
  let worker: AppProcess;
  const prefix = newPrefix('two');
  const sockets: Socket[] = [];

  beforeAll(async () => {
    db = await freshDatabase('two');
    api1 = new AppProcess({ name: 'api1', roles: 'api', db, redisPrefix: prefix });
    await api1.start(); // first: it migrates the fresh database
    api2 = new AppProcess({ name: 'api2', roles: 'api', db, redisPrefix: prefix });
    worker = new AppProcess({ name: 'worker', roles: 'worker', db, redisPrefix: prefix });
    await Promise.all([api2.start(), worker.start()]);
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all([api1?.stop(), api2?.stop(), worker?.stop()]);
    await db?.drop();
    await clearRedisPrefix(SHARED_REDIS_URL, prefix);
  });

  it('delivers every message to every socket on both APIs exactly once, and sync agrees', async () => {
    const apis = [api1, api2];
    const members: User[] = [];
    for (let i = 0; i < 5; i++) members.push(await register(apis[i % 2].url, `two${i}`));
    const [creator, ...others] = members;
    const groupId = await conversation(api2.url, creator, others);
    const from = new Map<string, string>();
    for (const m of members) from.set(m.id, await syncCursor(apis[0].url, m));

    // Every member listens on both APIs; each socket records what it receives.
    const received = new Map<Socket, { user: User; created: string[]; updated: string[] }>();
    const socketsOf = new Map<string, Socket[]>(); // user id → [socket on api1, socket on api2]
    for (const m of members) {
      socketsOf.set(m.id, []);
      for (const api of apis) {
        const socket = await connectSocket(api.url, m.token);
        sockets.push(socket);
        socketsOf.get(m.id)!.push(socket);
        const log = { user: m, created: [] as string[], updated: [] as string[] };
        socket.on('message.created', (e: any) => log.created.push(e.message.id));
        socket.on('message.updated', (e: any) => log.updated.push(e.message.id));
        received.set(socket, log);
      }
    }

    // Every member sends 8 messages, alternating REST and socket, alternating APIs, all at once.
    const ids: string[] = [];
    await Promise.all(
      members.map(async (m, i) => {
        for (let k = 0; k < 8; k++) {
          const clientId = `m${i}-${k}`;
          const text = `message ${k} from member ${i}`;
          if (k % 2 === 0) {
            const res = await send(apis[(i + k / 2) % 2].url, m, groupId, clientId, text);
            expect(res.status).toBe(201);
            ids.push(res.body.id);
          } else {
            const ack = await emitAck(socketsOf.get(m.id)![(i + k) % 2], 'message.send', { conversationId: groupId, clientId, text });
            expect(ack.message).toBeDefined();
            ids.push(ack.message.id);
          }
        }
      }),
    );
    // The same clientId to both APIs at the same moment: one message, both answers name it.
    const [r1, r2] = await Promise.all(apis.map((api) => send(api.url, creator, groupId, 'both-apis', 'sent twice, stored once')));
    expect([r1.status, r2.status].sort()).toEqual([200, 201]);
    expect(r1.body.id).toBe(r2.body.id);
    ids.push(r1.body.id);
    // A link: scanned by the worker, whose verdict event must reach sockets held by both APIs.
    const linked = await send(api2.url, others[1], groupId, 'with-link', 'the agenda https://agenda.example.org/today');
    expect(linked.status).toBe(201);
    ids.push(linked.body.id);

    const expected = [...ids].sort();
    await waitFor(
      'every socket to have every message and the verdict',
      async () => [...received.values()].every((l) => l.created.length >= expected.length && l.updated.includes(linked.body.id)),
      20000,
    );
    for (const log of received.values()) {
      expect([...log.created].sort()).toEqual(expected); // all of them, none twice
      expect(log.updated.filter((id) => id === linked.body.id)).toHaveLength(1);
    }

    // The database: one row per message, seqs 1..n without gaps.
    const rows = await db.query<{ id: string; seq: string }>('SELECT id, seq FROM message WHERE conversation_id = $1 ORDER BY seq', [
      groupId,
    ]);
    expect(rows.map((r) => r.id).sort()).toEqual(expected);
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));

    // Sync, through either API, agrees with the sockets: each message exactly once.
    for (const [i, m] of members.entries()) {
      const events = await syncAll(apis[i % 2].url, m, from.get(m.id)!);
      const created = tally(events.filter((e) => e.type === 'message.created').map((e) => e.message.id));
      expect([...created.keys()].sort()).toEqual(expected);
      expect([...created.values()].every((n) => n === 1)).toBe(true);
      expect(events.filter((e) => e.type === 'message.updated' && e.message.id === linked.body.id)).toHaveLength(1);
    }
  });

  it('a user held by one API only gets pushes emitted there without Redis, and a socket opened on the other API mid-stream misses nothing', async () => {
    // Everything the APIs publish on the socket.io adapter's channels, as seen by Redis.
    const watcher = new Redis(SHARED_REDIS_URL);
    const published: Buffer[] = [];
    watcher.on('pmessageBuffer', (_pattern: Buffer, _channel: Buffer, message: Buffer) => published.push(message));
    await watcher.psubscribe(`${prefix}socket.io#*`);
    /** Whether a push naming this message went through Redis (a PING first: the watcher has read every earlier publish). */
    const viaRedis = async (id: string) => {
      await watcher.ping();
      return published.some((m) => m.includes(id));
    };
    const a = await register(api1.url, 'pa');
    const b = await register(api1.url, 'pb');
    const convo = await conversation(api1.url, a, [b]);
    const from = await syncCursor(api1.url, b);
    const got: Array<{ api: string; ids: string[] }> = [];
    const listen = async (api: AppProcess, name: string) => {
      const socket = await connectSocket(api.url, b.token);
      sockets.push(socket);
      const log = { api: name, ids: [] as string[] };
      socket.on('message.created', (e: any) => log.ids.push(e.message.id));
      got.push(log);
      return log;
    };
    const first = await listen(api1, 'api1');
    const ids: string[] = [];
    // Instead of sleeping past the APIs' start-up grace (RoomPresence): probe until api1 knows
    // b is held by it alone, that is until a push to b reaches b without going through Redis.
    await waitFor(
      'api1 to push to b (held only there) without Redis',
      async () => {
        const res = await send(api1.url, a, convo, `probe-${ids.length}`, 'probe');
        expect(res.status).toBe(201);
        ids.push(res.body.id);
        await waitFor('the probe on b’s socket', async () => first.ids.includes(res.body.id), 10000, 10);
        return !(await viaRedis(res.body.id));
      },
      20000,
      200,
    );
    // b only on api1: sends through api1 are pushed locally there, through api2 published.
    const local: string[] = [];
    const remote: string[] = [];
    let second: { api: string; ids: string[] } | null = null;
    const secondFrom: string[] = [];
    for (let k = 0; k < 40; k++) {
      if (k === 20) {
        // b opens a socket on api2 too: every message sent after its connect reaches it there.
        second = await listen(api2, 'api2');
        secondFrom.push(...ids);
      }
      const res = await send((k % 3 === 0 ? api2 : api1).url, a, convo, `pa-${k}`, `message ${k}`);
      expect(res.status).toBe(201);
      ids.push(res.body.id);
      if (k < 20) (k % 3 === 0 ? remote : local).push(res.body.id);
    }
    await waitFor(
      'both sockets to have their messages',
      async () => first.ids.length >= ids.length && (second?.ids.length ?? 0) >= ids.length - secondFrom.length,
      15000,
    );
    expect([...first.ids].sort()).toEqual([...ids].sort()); // all, none twice
    // Every message sent after it connected, none twice (one sent just before may be there too).
    for (const id of ids.filter((x) => !secondFrom.includes(x))) expect(second!.ids).toContain(id);
    expect(new Set(second!.ids).size).toBe(second!.ids.length);
    for (const id of second!.ids) expect(ids).toContain(id);
    const created = tally((await syncAll(api2.url, b, from)).filter((e) => e.type === 'message.created').map((e) => e.message.id));
    expect([...created.keys()].sort()).toEqual([...ids].sort());
    // While b was on api1 only: api1's pushes stayed local, api2's went through Redis.
    const routes = async (list: string[]) => Promise.all(list.map(async (id) => ((await viaRedis(id)) ? 'redis' : 'local')));
    expect(await routes(local)).toEqual(local.map(() => 'local'));
    expect(await routes(remote)).toEqual(remote.map(() => 'redis'));
    watcher.disconnect();
  });
});
