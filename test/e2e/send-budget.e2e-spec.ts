import Redis from 'ioredis';
import { REDIS_URL, startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';
import { until } from '../support/wait';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'send_budget', env: { LIMIT_SEND_BURST: '3/60' } });
});
afterAll(async () => {
  await t?.close();
});

it('a spent send budget is 429 with Retry-After, but a retry of a stored clientId still gets 200 and the original', async () => {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  const conv = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
  ).body;
  const sent = [];
  for (let i = 0; i < 3; i++) {
    sent.push(
      (
        await t
          .http()
          .post(`/v1/conversations/${conv.id}/messages`)
          .set(a.auth)
          .send({ clientId: `k${i}`, text: `m${i}` })
          .expect(201)
      ).body,
    );
  }
  const refused = await t.http().post(`/v1/conversations/${conv.id}/messages`).set(a.auth).send({ clientId: 'k3', text: 'one too many' });
  expect(refused.status).toBe(429);
  expectErrorShape(refused.body, 429, 'rate_limited');
  expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  const replay = await t.http().post(`/v1/conversations/${conv.id}/messages`).set(a.auth).send({ clientId: 'k1', text: 'm1' });
  expect(replay.status).toBe(200);
  expect(replay.body).toEqual(sent[1]);
});

/** Two users who follow each other, in an active direct conversation. */
async function chat(): Promise<{ a: TestUser; conversationId: string }> {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  const conv = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] })
    .expect(201);
  return { a, conversationId: conv.body.id as string };
}

/**
 * The send budget's cost in Redis (issue #28): at most one command per admitted send for both
 * budgets (one script), and none for a send refused while the budget is known to be spent (the
 * in-memory block). Counted with MONITOR: the app's commands (not the script's inner calls)
 * whose arguments name this sender's rate-limit keys.
 */
it('a send spends both budgets in one Redis command; once the budget is spent, refusals cost no Redis command and spend nothing', async () => {
  const warm = await chat();
  await t.http().post(`/v1/conversations/${warm.conversationId}/messages`).set(warm.a.auth).send({ clientId: 'w', text: 'w' }).expect(201);

  const { a, conversationId } = await chat();
  const base = new Redis(REDIS_URL);
  const monitor = await base.monitor();
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua') seen.push(args);
  });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await t
        .http()
        .post(`/v1/conversations/${conversationId}/messages`)
        .set(a.auth)
        .send({ clientId: `c${i}`, text: `m${i}` });
      statuses.push(res.status);
      if (res.status === 429) {
        expectErrorShape(res.body, 429, 'rate_limited');
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429]);
    // MONITOR streams asynchronously: wait until a marker command issued after the sends shows.
    const marker = `${t.config.redisPrefix}monitor-marker:${a.id}`;
    const plain = new Redis(REDIS_URL);
    try {
      await until('the marker in MONITOR', async () => {
        await plain.get(marker);
        return seen.some((args) => args.includes(marker));
      });
    } finally {
      plain.disconnect();
    }
    const limitCommands = seen.filter((args) => args.some((arg) => arg.includes('rl:') && arg.includes(a.id)));
    expect(limitCommands.length).toBeLessThanOrEqual(3);
    // All or nothing: the refused sends spent no point of the sustained budget either.
    expect(await base.get(`${t.config.redisPrefix}rl:sendSustained:{${a.id}}`)).toBe('3');
  } finally {
    monitor.disconnect();
    base.disconnect();
  }
});
