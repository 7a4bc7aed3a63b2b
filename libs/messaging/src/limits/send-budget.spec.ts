import type { RedisClient } from '../redis';
import { SendBudget } from './send-budget';

/**
 * The local rules of SendBudget against a stand-in for its script: fixed windows on a fake
 * clock, all or nothing. The script itself runs against Redis in test/e2e/send-budget.
 */
function fakeRedis(clock: { now: number }) {
  const windows = new Map<string, { used: number; endsAt: number }>();
  let calls = 0;
  const state = (key: string, seconds: number) => {
    const w = windows.get(key);
    return w && w.endsAt > clock.now ? w : { used: 0, endsAt: clock.now + seconds * 1000 };
  };
  const redis = {
    defineCommand: () => undefined,
    sendBudgetSpend(
      burstKey: string,
      sustainedKey: string,
      cost: number,
      bPoints: number,
      bSeconds: number,
      sPoints: number,
      sSeconds: number,
    ) {
      calls++;
      const b = state(burstKey, bSeconds);
      const s = state(sustainedKey, sSeconds);
      if (b.used + cost > bPoints || s.used + cost > sPoints) {
        return Promise.resolve([0, b.used, b.endsAt - clock.now, s.used, s.endsAt - clock.now]);
      }
      windows.set(burstKey, { used: b.used + cost, endsAt: b.endsAt });
      windows.set(sustainedKey, { used: s.used + cost, endsAt: s.endsAt });
      return Promise.resolve([1, b.used + cost, b.endsAt - clock.now, s.used + cost, s.endsAt - clock.now]);
    },
  };
  return { redis: redis as unknown as RedisClient, calls: () => calls };
}

describe('SendBudget', () => {
  it('refuses in memory, without Redis, from the send that fills a window until that window ends; then asks Redis again', async () => {
    const clock = { now: 1_000_000 };
    const fake = fakeRedis(clock);
    const budget = new SendBudget(fake.redis, { points: 3, duration: 10 }, { points: 100, duration: 3600 }, () => clock.now);
    for (let i = 0; i < 3; i++) expect(await budget.spend('u')).toEqual({ admitted: true });
    expect(fake.calls()).toBe(3);
    clock.now += 4_000;
    expect(await budget.spend('u')).toEqual({ admitted: false, retryAfterMs: 6_000 });
    expect(await budget.spend('u')).toEqual({ admitted: false, retryAfterMs: 6_000 });
    expect(fake.calls()).toBe(3);
    // Another user is not held.
    expect(await budget.spend('v')).toEqual({ admitted: true });
    clock.now += 6_000;
    expect(await budget.spend('u')).toEqual({ admitted: true });
    expect(fake.calls()).toBe(5);
  });

  it('a refusal learned from Redis (another process spent the budget) holds the user locally; Retry-After is the later of the full windows', async () => {
    const clock = { now: 0 };
    const fake = fakeRedis(clock);
    const other = new SendBudget(fake.redis, { points: 2, duration: 10 }, { points: 2, duration: 3600 }, () => clock.now);
    const here = new SendBudget(fake.redis, { points: 2, duration: 10 }, { points: 2, duration: 3600 }, () => clock.now);
    await other.spend('u');
    await other.spend('u');
    expect(await here.spend('u')).toEqual({ admitted: false, retryAfterMs: 3_600_000 });
    expect(fake.calls()).toBe(3);
    clock.now += 10_000;
    expect(await here.spend('u')).toEqual({ admitted: false, retryAfterMs: 3_590_000 });
    expect(fake.calls()).toBe(3);
  });
});
