import request from 'supertest';
import * as passwords from '@app/messaging/accounts/passwords';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser } from '../support/factories';

// The app trusts X-Forwarded-For from loopback (app.set('trust proxy', 'loopback')), so each
// test names its client addresses; the defaults apply: 10 failures per handle and address.
const PER_HANDLE_AND_IP = 10;
const IP_DAY = 25;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'login_limits', env: { LIMIT_LOGIN_IP: `${IP_DAY}/86400` } });
});
afterAll(async () => {
  await t?.close();
});

const userLogin = (ip: string, handle: string, password: string) =>
  request(t.url).post('/v1/auth/login').set('X-Forwarded-For', ip).send({ handle, password });
const staffLogin = (ip: string, email: string, password: string) =>
  request(t.url).post('/admin/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password });

/** Counts password verifications (calls through; nothing is replaced) while `run` runs. */
async function verificationsDuring<T>(run: () => Promise<T>): Promise<{ result: T; verified: number }> {
  const spy = jest.spyOn(passwords.argon2Calls, 'verify');
  try {
    const result = await run();
    return { result, verified: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

function tally(responses: request.Response[]) {
  const counts: Record<string, number> = {};
  for (const r of responses) counts[`${r.status} ${r.body.code}`] = (counts[`${r.status} ${r.body.code}`] ?? 0) + 1;
  return counts;
}

describe('end-user login', () => {
  it('30 parallel wrong passwords for one handle from one address: exactly the budget of passwords is verified (401), the rest are 429 rate_limited with Retry-After', async () => {
    const u = await registerUser(t.url);
    const { result: results, verified } = await verificationsDuring(() =>
      Promise.all(Array.from({ length: 30 }, () => userLogin('203.0.113.10', u.handle, 'wrong password!'))),
    );
    expect(verified).toBe(PER_HANDLE_AND_IP);
    expect(tally(results)).toEqual({ '401 invalid_credentials': PER_HANDLE_AND_IP, '429 rate_limited': 30 - PER_HANDLE_AND_IP });
    const limited = results.find((r) => r.status === 429)!;
    expectErrorShape(limited.body, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Even the right password from that address waits now: the address used its guesses.
    expect((await userLogin('203.0.113.10', u.handle, 'correct horse battery')).status).toBe(429);
  });

  it("a stranger who spent an address's budget on a handle does not lock the owner out: the owner signs in from another address", async () => {
    const u = await registerUser(t.url);
    for (let i = 0; i < PER_HANDLE_AND_IP; i++) expect((await userLogin('198.51.100.7', u.handle, 'wrong password!')).status).toBe(401);
    expect((await userLogin('198.51.100.7', u.handle, 'wrong password!')).status).toBe(429);
    const owner = await userLogin('192.0.2.44', u.handle, 'correct horse battery');
    expect(owner.status).toBe(200);
    expect(owner.body.user.id).toBe(u.id);
    expect((await userLogin('198.51.100.7', u.handle, 'correct horse battery')).status).toBe(429);
  });

  it('a success clears the handle+address failures: the owner who mistyped nine times and then got it right has the full budget again', async () => {
    const u = await registerUser(t.url);
    for (let i = 0; i < PER_HANDLE_AND_IP - 1; i++) expect((await userLogin('192.0.2.80', u.handle, 'wrong password!')).status).toBe(401);
    expect((await userLogin('192.0.2.80', u.handle, 'correct horse battery')).status).toBe(200);
    const again = await Promise.all(
      Array.from({ length: PER_HANDLE_AND_IP + 2 }, () => userLogin('192.0.2.80', u.handle, 'wrong password!')),
    );
    expect(tally(again)).toEqual({ '401 invalid_credentials': PER_HANDLE_AND_IP, '429 rate_limited': 2 });
  });

  it('one address guessing across many handles is stopped by LIMIT_LOGIN_IP (slow brute force per address per day), counted exactly under parallel load', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => registerUser(t.url)));
    const guesses = users.flatMap((u) => Array.from({ length: 8 }, () => userLogin('203.0.113.99', u.handle, 'wrong password!')));
    const results = await Promise.all(guesses);
    expect(tally(results)).toEqual({ '401 invalid_credentials': IP_DAY, '429 rate_limited': 32 - IP_DAY });
    // Another address is not affected.
    expect((await userLogin('203.0.113.100', users[0].handle, 'correct horse battery')).status).toBe(200);
  });
});

describe('staff login', () => {
  const email = 'admin@example.com';
  const password = 'admin-password-1';

  it('30 parallel wrong passwords for one staff email from one address: exactly the budget of passwords is verified, the rest are 429', async () => {
    const { result: results, verified } = await verificationsDuring(() =>
      Promise.all(Array.from({ length: 30 }, () => staffLogin('203.0.113.20', email, 'wrong password!'))),
    );
    expect(verified).toBe(PER_HANDLE_AND_IP);
    expect(tally(results)).toEqual({ '401 invalid_credentials': PER_HANDLE_AND_IP, '429 rate_limited': 30 - PER_HANDLE_AND_IP });
  });

  it('someone who read a staff email (e.g. in the audit log) and spent their budget on it does not lock that staff member out', async () => {
    for (let i = 0; i < PER_HANDLE_AND_IP; i++) expect((await staffLogin('198.51.100.20', email, 'wrong password!')).status).toBe(401);
    expect((await staffLogin('198.51.100.20', email, password)).status).toBe(429);
    const owner = await staffLogin('192.0.2.20', email, password);
    expect(owner.status).toBe(200);
    expect(owner.body.staff.email).toBe(email);
    // And from the default address the tests use.
    await loginStaff(t.url);
  });
});
