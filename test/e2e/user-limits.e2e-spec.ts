import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';

/**
 * Issue #26 item 11: search, block / restrict, hidden words and decline-all have per-user
 * budgets (LIMIT_SEARCH, LIMIT_BLOCKS, LIMIT_HIDDEN_WORDS, LIMIT_DECLINE_ALL): past one,
 * 429 rate_limited with Retry-After, as every other limit answers. A search's cost is
 * bounded too: a query with too many OR alternatives or words is 400 invalid_request.
 */
const SEARCH = 5;
const BLOCKS = 5;
const HIDDEN_WORDS = 3;
const DECLINE_ALL = 3;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    label: 'user_limits',
    env: {
      LIMIT_SEARCH: `${SEARCH}/600`,
      LIMIT_BLOCKS: `${BLOCKS}/600`,
      LIMIT_HIDDEN_WORDS: `${HIDDEN_WORDS}/600`,
      LIMIT_DECLINE_ALL: `${DECLINE_ALL}/600`,
    },
  });
});
afterAll(async () => {
  await t?.close();
});

const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(t.url)));

/** Exactly `budget` of the parallel calls pass with `ok`; the rest are 429 rate_limited with a whole-seconds Retry-After. */
function expectBudget(results: request.Response[], ok: number, budget: number) {
  expect(results.filter((r) => r.status === ok).length).toBe(budget);
  const limited = results.filter((r) => r.status === 429);
  expect(limited.length).toBe(results.length - budget);
  for (const r of limited) {
    expectErrorShape(r.body, 429, 'rate_limited');
    expect(r.headers['retry-after']).toMatch(/^\d+$/);
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  }
}

describe('search', () => {
  it("one user's parallel searches get exactly the search budget through, the rest 429 with Retry-After; another user is not affected", async () => {
    const [a, b] = await users(2);
    const results = await Promise.all(
      Array.from({ length: SEARCH * 4 }, (_, i) =>
        t
          .http()
          .get('/v1/search')
          .query({ q: `word${i} OR other` })
          .set(a.auth),
      ),
    );
    expectBudget(results, 200, SEARCH);
    expect((await t.http().get('/v1/search').query({ q: 'hello' }).set(b.auth)).status).toBe(200);
  });

  it("a query's cost is bounded: more than 4 ORs or more than 12 words, is 400 invalid_request and spends nothing", async () => {
    const [a] = await users(1);
    for (const q of [
      'a1 OR b2 OR c3 OR d4 OR e5 OR f6 OR g7 OR h8',
      'aa or bb or cc or dd or ee or ff',
      Array.from({ length: 13 }, (_, i) => `w${i}`).join(' '),
    ]) {
      const res = await t.http().get('/v1/search').query({ q }).set(a.auth);
      expectErrorShape(res.body, 400, 'invalid_request');
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'q' })]);
    }
    // At the bounds it works, and the refused ones did not spend the budget.
    const fine = ['a1 OR b2 OR c3 OR d4 OR e5', Array.from({ length: 12 }, (_, i) => `w${i}`).join(' '), '"quoted phrase" -minus or other'];
    for (const q of fine) expect((await t.http().get('/v1/search').query({ q }).set(a.auth)).status).toBe(200);
  });
});

describe('block, restrict, hidden words, decline-all', () => {
  it('block, unblock, restrict and unrestrict share one per-user budget: parallel calls past it are 429', async () => {
    const [me, ...others] = await users(1 + BLOCKS * 3);
    const calls = others.map((o, i) => {
      const path = `/v1/users/${o.id}/${i % 2 ? 'block' : 'restrict'}`;
      return i % 3 === 2 ? t.http().delete(path).set(me.auth) : t.http().put(path).set(me.auth);
    });
    expectBudget(await Promise.all(calls), 204, BLOCKS);
    // Someone else's budget is their own.
    expect((await t.http().put(`/v1/users/${me.id}/block`).set(others[0].auth)).status).toBe(204);
  });

  it('hidden-words updates have a per-user budget: parallel PUTs past it are 429', async () => {
    const [me, other] = await users(2);
    const puts = Array.from({ length: HIDDEN_WORDS * 3 }, (_, i) =>
      t
        .http()
        .put('/v1/me/hidden-words')
        .set(me.auth)
        .send({ words: [`word${i}`], useDefaultList: true }),
    );
    expectBudget(await Promise.all(puts), 200, HIDDEN_WORDS);
    expect((await t.http().put('/v1/me/hidden-words').set(other.auth).send({ words: [], useDefaultList: false })).status).toBe(200);
  });

  it('decline-all has a per-user budget: parallel calls past it are 429', async () => {
    const [me, other, ...senders] = await users(2 + DECLINE_ALL * 3);
    const calls = senders.map((s: TestUser) => t.http().post('/v1/requests/decline-all').set(me.auth).send({ senderId: s.id }));
    expectBudget(await Promise.all(calls), 200, DECLINE_ALL);
    expect((await t.http().post('/v1/requests/decline-all').set(other.auth).send({ senderId: me.id })).status).toBe(200);
  });
});
