import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackchannelClient, unwrap, type Message } from '@backchannel/client';
import { FileStorage } from '@backchannel/client/node';
import { AppProcess, SHARED_REDIS_URL, clearRedisPrefix, freshDatabase, newPrefix, sleep, waitFor, type Database } from './support/cluster';

/**
 * The SDK keeps the exactly-once guarantee end to end: a client queues 500 sends while the
 * server is SIGKILLed and restarted twice, both clients' sockets are dropped at random, the
 * access tokens (20 s) are refreshed under way, and the sending client itself is restarted
 * once (a new instance on the same file storage resumes its outbox). The receiving client
 * ends with each message exactly once, in seq order. In both of the SDK's modes (docs/API.md §6:
 * per-user cursors, rule 2; stream positions, rule 2b).
 */
describe.each(['v1', 'positions'] as const)(
  'fault: the SDK (stream %s) through server crashes, socket drops and a client restart',
  (stream) => {
    let db: Database;
    let api: AppProcess;
    const prefix = newPrefix(`sdk${stream[0]}`);
    const dir = mkdtempSync(join(tmpdir(), `bc-sdk-${stream}-`));
    const clients: BackchannelClient[] = [];

    beforeAll(async () => {
      db = await freshDatabase(`sdk_${stream}`);
      api = await new AppProcess({
        name: 'api',
        roles: 'api,worker',
        db,
        redisPrefix: prefix,
        env: { ACCESS_TOKEN_TTL_SECONDS: '20' },
      }).start();
    });

    afterAll(async () => {
      for (const c of clients) c.stop();
      await api?.stop();
      await db?.drop();
      await clearRedisPrefix(SHARED_REDIS_URL, prefix);
      rmSync(dir, { recursive: true, force: true });
    });

    const client = (file: string) => {
      const c = new BackchannelClient({
        baseUrl: api.url,
        storage: new FileStorage(join(dir, file)),
        reconnectDelayMs: 100,
        reconnectDelayMaxMs: 1000,
        requestTimeoutMs: 5000,
        stream,
      });
      clients.push(c);
      return c;
    };

    it('the receiver sees each of 500 messages exactly once, in seq order', async () => {
      const TOTAL = 500;
      let sender = client('sender.json');
      const receiver = client('receiver.json');
      const a = await sender.signUp({ handle: 'sdk_sender', displayName: 'Sender', password: 'sdk-test-password' });
      const b = await receiver.signUp({ handle: 'sdk_receiver', displayName: 'Receiver', password: 'sdk-test-password' });
      await unwrap(receiver.api.PUT('/v1/users/{id}/follow', { params: { path: { id: a.id } } }));
      const conversation = await unwrap(sender.api.POST('/v1/conversations', { body: { participantIds: [b.id] } }));

      const received: Message[] = [];
      receiver.on('message.created', (e) => {
        if (e.message.conversationId === conversation.id) received.push(e.message);
      });
      const acked = new Set<string>();
      const track = (c: BackchannelClient) => c.on('send.succeeded', (e) => acked.add(e.clientId));
      track(sender);
      await receiver.start();
      await sender.start();

      // Queue every send at once: the outbox (in the file) sends them in order, one at a time.
      const texts = Array.from({ length: TOTAL }, (_, i) => `message ${i}`);
      for (const t of texts) void sender.send(conversation.id, t).catch(() => undefined);

      // Random socket drops on both sides while it runs.
      let chaos = true;
      const drops = (async () => {
        let n = 0;
        while (chaos) {
          await sleep(200 + Math.random() * 800);
          const victim = Math.random() < 0.7 ? receiver : sender;
          (victim.socket as any)?.io?.engine?.close();
          n++;
        }
        return n;
      })();

      await waitFor('100 acknowledged sends', async () => acked.size >= 100, 60000, 10);
      await api.kill('SIGKILL');
      await sleep(300);
      await api.start();

      await waitFor('250 acknowledged sends', async () => acked.size >= 250, 90000, 10);
      // The sending app restarts: a new client on the same file resumes the outbox with the same clientIds.
      sender.stop();
      sender = client('sender.json');
      track(sender);
      expect(await sender.restore()).toBe(true);
      await sender.start();

      await waitFor('350 acknowledged sends', async () => acked.size >= 350, 90000, 10);
      await api.kill('SIGKILL');
      await sleep(300);
      await api.start();

      await waitFor(`all ${TOTAL} sends acknowledged`, async () => sender.pending().length === 0, 120000, 50);
      await waitFor(`the receiver has ${TOTAL} messages`, async () => received.length >= TOTAL, 60000, 50);
      chaos = false;
      const dropped = await drops;

      // One more reconnect and sync after the end: nothing new, nothing twice.
      const synced = new Promise<void>((r) => {
        const off = receiver.on('synced', () => {
          off();
          r();
        });
      });
      (receiver.socket as any).io.engine.close();
      await synced;

      expect(dropped).toBeGreaterThan(5);
      expect(acked.size).toBe(TOTAL);
      expect(received.map((m) => m.text)).toEqual(texts);
      expect(received.map((m) => m.seq)).toEqual(texts.map((_, i) => i + 1));
      const rows = await db.query(
        `SELECT count(*)::int AS n, count(DISTINCT client_id)::int AS d FROM message WHERE conversation_id = $1`,
        [conversation.id],
      );
      expect(rows[0]).toEqual({ n: TOTAL, d: TOTAL });
    });
  },
);
