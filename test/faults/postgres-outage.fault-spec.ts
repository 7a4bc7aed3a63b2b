import type { Socket } from 'socket.io-client';
import { connectSocket, emitAck } from '../support/socket';
import {
  AppProcess,
  PrivatePostgres,
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
 * PostgreSQL stops for 5 s under a send load and starts again. The app, one process with both
 * roles as `npm start` runs it, must stay up; a request either waits for the database or
 * fails with 503 database_unavailable (never a 500, never a crash, never an unbounded wait);
 * /health says 503 during the outage and 200 after; and clients that retry with the same
 * clientId end with every message stored exactly once, seqs gapless. This test owns its
 * PostgreSQL cluster (initdb on a free port): the shared server is untouched.
 */
describe('fault: PostgreSQL stopped for 5 s during traffic', () => {
  let pg: PrivatePostgres;
  let db: Database;
  let app: AppProcess;
  let socket: Socket | undefined;

  beforeAll(async () => {
    pg = await new PrivatePostgres().init();
    db = await freshDatabase('pgdown', pg.base);
    app = await new AppProcess({ name: 'app', roles: 'api,worker', db, redisPrefix: newPrefix('pg') }).start();
  }, 120000);

  afterAll(async () => {
    socket?.close();
    await app?.stop();
    await db?.drop().catch(() => undefined);
    await pg?.dispose();
  });

  it('answers 201/200 or 503 database_unavailable during the outage, /health is 503 then 200, and retried sends end exactly once with gapless seqs', async () => {
    const recipient: User = await register(app.url, 'pr');
    const senders: User[] = [];
    const conversations: string[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await register(app.url, `ps${i}`);
      await follow(app.url, s, recipient);
      conversations.push(await conversation(app.url, s, [recipient]));
      senders.push(s);
    }
    const from = await syncCursor(app.url, recipient);
    const pid = app.child!.pid;
    socket = await connectSocket(app.url, senders[3].token); // sender 3 sends over the socket
    const SOCKET = 3;

    // Each sender sends message k and, like a real client, retries it with the same clientId
    // until it is acknowledged (200 or 201), then goes on with k + 1.
    const attempts: Array<{ sender: number; clientId: string; res: Res; ms: number; at: number }> = [];
    const acked = new Map<string, string>(); // clientId -> message id
    let stop = false;
    const traffic = senders.map(async (s, i) => {
      for (let k = 0; !stop; k++) {
        const clientId = `s${i}-m${k}`;
        for (;;) {
          const t0 = Date.now();
          const res: Res =
            i === SOCKET
              ? await emitAck(socket!, 'message.send', { conversationId: conversations[i], clientId, text: `message ${k}` }, 20000).then(
                  (ack: any) => (ack?.message ? { status: 201, body: ack.message } : { status: 503, body: { socketError: ack?.error } }),
                  () => ({ status: 0, body: { socketError: 'no ack within 20 s' } }),
                )
              : await send(app.url, s, conversations[i], clientId, `message ${k}`, 20000);
          attempts.push({ sender: i, clientId, res, ms: Date.now() - t0, at: t0 });
          if (res.status === 201 || res.status === 200) {
            acked.set(clientId, res.body.id);
            break;
          }
          await sleep(100); // a client backing off a little
        }
      }
    });

    await waitFor('traffic to flow', async () => acked.size >= 30, 20000, 10);
    const stoppedAt = Date.now();
    await pg.stop();
    const healthDown = await waitFor(
      '/health to say 503 while PostgreSQL is down',
      async () => {
        const h = await call(app.url, 'GET', '/health', undefined, undefined, 3000);
        return h.status === 503 ? h : null;
      },
      4000,
      100,
    );
    await sleep(Math.max(0, stoppedAt + 5000 - Date.now()));
    const failedDuringOutage = attempts.filter((a) => a.at >= stoppedAt && a.res.status !== 201 && a.res.status !== 200).length;
    await pg.start();
    const restartedAt = Date.now();
    // Liveness does not depend on PostgreSQL: an orchestrator must not restart the API for an outage.
    expect((await call(app.url, 'GET', '/health/live', undefined, undefined, 3000)).status).toBe(200);
    await waitFor(
      '/health to say 200 again without any restart of the app',
      async () => (await call(app.url, 'GET', '/health', undefined, undefined, 3000)).status === 200,
      30000,
      200,
    );
    await waitFor(
      'sends to succeed again',
      async () => attempts.filter((a) => a.at >= restartedAt && a.res.status === 201).length >= 15,
      30000,
      20,
    );
    stop = true;
    await Promise.all(traffic);

    expect(healthDown.body).toEqual(
      expect.objectContaining({
        statusCode: 503,
        details: expect.objectContaining({ database: expect.objectContaining({ status: 'down' }) }),
      }),
    );
    expect(failedDuringOutage).toBeGreaterThan(0); // the outage was felt: the test proves something
    // Only the contract's answers: 201 (stored), 200 (a retry's replay), or 503 database_unavailable.
    const statuses = tally(attempts.map((a) => String(a.res.status)));
    const odd = attempts.filter((a) => !['200', '201', '503'].includes(String(a.res.status)));
    expect({ statuses: Object.fromEntries(statuses), odd: odd.slice(0, 3).map((a) => a.res) }).toEqual({
      statuses: Object.fromEntries(statuses),
      odd: [],
    });
    for (const a of attempts.filter((x) => x.res.status === 503 && x.sender !== SOCKET)) {
      expect(a.res.body).toEqual({ statusCode: 503, code: 'database_unavailable', message: expect.any(String) });
    }
    // Over the socket, a refused send's ack carries the same code REST answers.
    const socketErrors = attempts.filter((x) => x.sender === SOCKET && x.res.status !== 201);
    expect(socketErrors.length).toBeGreaterThan(0);
    for (const a of socketErrors) {
      expect(a.res.body.socketError).toEqual({ code: 'database_unavailable', message: expect.any(String), retryAfterSeconds: 1 });
    }
    // Waited or refused: either way within bounds, never a hang.
    expect(Math.max(...attempts.map((a) => a.ms))).toBeLessThan(15000);
    expect(app.alive).toBe(true);
    expect(app.child!.pid).toBe(pid);

    // Every acknowledged clientId is stored exactly once, under the id it was acknowledged with.
    const rows = await db.query<{ id: string; client_id: string; conversation_id: string; seq: string }>(
      'SELECT id, client_id, conversation_id, seq FROM message',
    );
    expect(tally(rows.map((r) => r.client_id)).size).toBe(rows.length);
    expect(rows).toHaveLength(acked.size);
    for (const r of rows) expect(acked.get(r.client_id)).toBe(r.id);
    for (const c of conversations) {
      const seqs = rows
        .filter((r) => r.conversation_id === c)
        .map((r) => Number(r.seq))
        .sort((x, y) => x - y);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    // The recipient's event log has each message exactly once.
    const created = tally((await syncAll(app.url, recipient, from)).filter((e) => e.type === 'message.created').map((e) => e.message.id));
    expect(created.size).toBe(acked.size);
    expect([...created.values()].every((n) => n === 1)).toBe(true);
  }, 180000);
});
