import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Queue } from 'bullmq';
import { QueueName } from '@app/messaging/queues';
import { REDIS_URL, startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, uniqueHandle } from '../support/factories';
import { until } from '../support/wait';

/**
 * Enforcement webhook (issue #21): when staff act against a user the host app owns (one with
 * an externalId), a signed JSON POST reaches PLATFORM_WEBHOOK_URL through BullMQ, retried
 * with backoff; private and loopback addresses are refused unless explicitly allowed.
 */
const SECRET = 'whsec-0123456789abcdef0123';
const KEY = 'webhook-test-key-0123456789';

interface Delivery {
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
  answered: number;
}
let receiver: Server;
const deliveries: Delivery[] = [];
/** Status codes to answer, in order; 200 once used up. */
let answers: number[] = [];
let t: TestApp;
let guarded: TestApp;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const answered = answers.shift() ?? 200;
      deliveries.push({ headers: req.headers, raw, body: JSON.parse(raw), answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  const env = {
    PLATFORM_API_KEYS: KEY,
    PLATFORM_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks/backchannel`,
    PLATFORM_WEBHOOK_SECRET: SECRET,
  };
  [t, guarded] = await Promise.all([
    startTestApp({ label: 'webhook', env: { ...env, PLATFORM_WEBHOOK_ALLOW_PRIVATE: 'true' } }),
    // Same receiver, without the allowance: 127.0.0.1 is refused.
    startTestApp({ label: 'webhook_ssrf', env }),
  ]);
});
afterAll(async () => {
  await Promise.all([t?.close(), guarded?.close()]);
  await new Promise((resolve) => receiver?.close(resolve));
});

/** Checks X-Backchannel-Signature the way a receiver should: HMAC-SHA256 of "<t>.<raw body>". */
function signatureValid(d: Delivery, secret = SECRET): boolean {
  const header = String(d.headers['x-backchannel-signature'] ?? '');
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${d.raw}`).digest();
  return Math.abs(Date.now() / 1000 - Number(m[1])) < 300 && timingSafeEqual(expected, Buffer.from(m[2], 'hex'));
}

async function hostUser(app: TestApp, externalId: string) {
  const res = await request(app.url)
    .put(`/platform/v1/users/${externalId}`)
    .set({ Authorization: `Bearer ${KEY}` })
    .send({ handle: uniqueHandle('wh'), displayName: 'Hooked' });
  expect(res.status).toBe(201);
  return res.body as { id: string; externalId: string };
}

it('staff suspend a host user: a signed POST arrives, is retried after a 500 (same delivery id), then lifting sends enforcement.lifted', async () => {
  const staff = await loginStaff(t.url);
  const user = await hostUser(t, 'wh-user-1');
  answers = [500];
  const acted = await request(t.url)
    .post(`/admin/v1/users/${user.id}/actions`)
    .set(staff.auth)
    .send({ action: 'suspend', durationHours: 2, note: 'internal note' });
  expect(acted.status).toBe(200);
  await until('the retried delivery', async () => deliveries.filter((d) => d.body.type === 'enforcement.applied').length >= 2, 30_000);
  const [first, second] = deliveries.filter((d) => d.body.type === 'enforcement.applied');
  expect([first.answered, second.answered]).toEqual([500, 200]);
  for (const d of [first, second]) {
    expect(signatureValid(d)).toBe(true);
    expect(signatureValid(d, 'some-other-secret-000')).toBe(false);
    expect(d.headers['content-type']).toBe('application/json');
    expect(d.headers['x-backchannel-delivery']).toBe(first.body.id);
    expect(d.headers['x-backchannel-event']).toBe('enforcement.applied');
  }
  expect(second.body).toEqual(first.body);
  expect(first.body).toEqual({
    id: expect.any(String),
    type: 'enforcement.applied',
    createdAt: expect.any(String),
    user: { id: user.id, externalId: 'wh-user-1' },
    action: { id: acted.body.action.id, action: 'suspend', reason: 'direct', expiresAt: expect.any(String) },
    standing: { status: 'suspended', suspendedUntil: expect.any(String), restrictedUntil: null },
  });
  // The staff note is internal: never sent.
  expect(first.raw).not.toContain('internal note');
  // A tampered body fails the check.
  expect(signatureValid({ ...first, raw: first.raw.replace('suspend', 'warn') })).toBe(false);

  await request(t.url).post(`/admin/v1/actions/${acted.body.action.id}/lift`).set(staff.auth).send({ note: 'mistake' }).expect(200);
  const lifted = await until('the lift notice', async () => deliveries.find((d) => d.body.type === 'enforcement.lifted'));
  expect(signatureValid(lifted)).toBe(true);
  expect(lifted.body).toEqual(
    expect.objectContaining({
      type: 'enforcement.lifted',
      user: { id: user.id, externalId: 'wh-user-1' },
      action: expect.objectContaining({ id: acted.body.action.id, action: 'suspend' }),
      standing: { status: 'active', suspendedUntil: null, restrictedUntil: null },
    }),
  );
});

it('warn through a report resolve is sent too; a native user (no externalId) is not', async () => {
  const staff = await loginStaff(t.url);
  const user = await hostUser(t, 'wh-user-2');
  const native = await registerUser(t.url);
  const reporter = await registerUser(t.url);
  const report = await request(t.url)
    .post('/v1/reports')
    .set(reporter.auth)
    .send({ subjectType: 'user', subjectId: user.id, reason: 'harassment' });
  expect(report.status).toBe(201);
  const resolved = await request(t.url)
    .post(`/admin/v1/reports/${report.body.id}/resolve`)
    .set(staff.auth)
    .send({ action: 'warn', note: 'first warning' });
  expect(resolved.status).toBe(200);
  await request(t.url).post(`/admin/v1/users/${native.id}/actions`).set(staff.auth).send({ action: 'ban' }).expect(200);
  const warned = await until('the warn notice', async () => deliveries.find((d) => d.body.user.externalId === 'wh-user-2'));
  expect(warned.body.action).toEqual(expect.objectContaining({ action: 'warn', reason: 'harassment' }));
  // Give the ban's job (if any) the same chance to arrive as the warn's had, then check none did.
  const ban = await request(t.url).post(`/admin/v1/users/${user.id}/actions`).set(staff.auth).send({ action: 'ban' });
  expect(ban.status).toBe(200);
  await until('the ban notice of the host user', async () => deliveries.find((d) => d.body.action.action === 'ban'));
  expect(deliveries.filter((d) => d.body.user.id === native.id)).toEqual([]);
});

it('SSRF guard: without PLATFORM_WEBHOOK_ALLOW_PRIVATE a loopback receiver is refused and not retried', async () => {
  const staff = await loginStaff(guarded.url);
  const user = await hostUser(guarded, 'wh-guarded');
  const before = deliveries.length;
  await request(guarded.url).post(`/admin/v1/users/${user.id}/actions`).set(staff.auth).send({ action: 'restrict_messaging' }).expect(200);
  const queue = new Queue(QueueName.Platform, { connection: { url: REDIS_URL }, prefix: `${guarded.config.redisPrefix}bull` });
  try {
    const failed = await until('the refused delivery', async () =>
      (await queue.getFailed()).find((j) => j.data?.body?.user?.externalId === 'wh-guarded'),
    );
    expect(failed.failedReason).toMatch(/ssrf_refused/);
    expect(failed.attemptsMade).toBe(1);
  } finally {
    await queue.close();
  }
  expect(deliveries.slice(before).filter((d) => d.body.user.externalId === 'wh-guarded')).toEqual([]);
});
