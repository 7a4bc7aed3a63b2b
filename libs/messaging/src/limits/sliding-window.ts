import type { RedisClient } from '../redis';

/**
 * Sliding-window counts on the shared Redis (one sorted set per subject: member = what was
 * counted, score = when), so every API process counts into the same window and one script
 * decides atomically. Used for the two request-wave checks of API.md v1.2: requests a person
 * receives (the pile-on breaker) and conversations a sender starts with strangers (fan-out).
 */

/** Adds ARGV[3] at ARGV[1] (ms) to KEYS[1], drops what is older than ARGV[2] ms; the count after. */
const COUNT_LUA = `
local now = tonumber(ARGV[1])
local win = tonumber(ARGV[2])
redis.call('zremrangebyscore', KEYS[1], '-inf', now - win)
redis.call('zadd', KEYS[1], now, ARGV[3])
redis.call('pexpire', KEYS[1], win)
return redis.call('zcard', KEYS[1])
`;

/**
 * As COUNT_LUA, then past ARGV[4] (the threshold): the first call to pass it in a window
 * takes the trip marker KEYS[2] (SET NX, for ARGV[2] ms) and gets {count, 2, members of the
 * window}; a later call while the marker stands gets {count, 1}; otherwise {count, 0}.
 * Exactly one call trips, however many processes count at once.
 */
const TRIP_LUA = `
local now = tonumber(ARGV[1])
local win = tonumber(ARGV[2])
redis.call('zremrangebyscore', KEYS[1], '-inf', now - win)
redis.call('zadd', KEYS[1], now, ARGV[3])
redis.call('pexpire', KEYS[1], win)
local count = redis.call('zcard', KEYS[1])
if count <= tonumber(ARGV[4]) then return {count, 0} end
if redis.call('set', KEYS[2], ARGV[3], 'PX', win, 'NX') then
  return {count, 2, redis.call('zrange', KEYS[1], 0, -1)}
end
if redis.call('exists', KEYS[2]) == 1 then return {count, 1} end
return {count, 0}
`;

type WindowRedis = RedisClient & {
  slidingWindowCount(key: string, now: number, windowMs: number, member: string): Promise<number>;
  slidingWindowTrip(
    key: string,
    markerKey: string,
    now: number,
    windowMs: number,
    member: string,
    threshold: number,
  ): Promise<[number, number, string[]?]>;
  zrem(key: string, member: string): Promise<number>;
  del(key: string): Promise<number>;
};

/** What a counted item met: `tripped` (this one crossed the threshold), `over` (a trip of this window stands), or nothing. */
export interface TripResult {
  count: number;
  tripped: boolean;
  over: boolean;
  /** On a trip: everything counted in the window, this item included. */
  window: string[];
}

export class SlidingWindow {
  private readonly redis: WindowRedis;

  constructor(
    redis: RedisClient,
    /** Key namespace, e.g. `pileon` → `pileon:{subject}` (the braces keep both keys in one cluster slot). */
    private readonly name: string,
    private readonly now: () => number = Date.now,
  ) {
    this.redis = redis as WindowRedis;
    if (typeof this.redis.slidingWindowCount !== 'function') {
      redis.defineCommand('slidingWindowCount', { numberOfKeys: 1, lua: COUNT_LUA });
      redis.defineCommand('slidingWindowTrip', { numberOfKeys: 2, lua: TRIP_LUA });
    }
  }

  private key(subject: string): string {
    return `${this.name}:{${subject}}`;
  }

  /** Counts `member` for `subject`; how many are in the window now, this one included. */
  count(subject: string, member: string, windowMs: number): Promise<number> {
    return this.redis.slidingWindowCount(this.key(subject), this.now(), windowMs, member);
  }

  /** Counts `member` for `subject` and says whether this crossed `threshold` (see TRIP_LUA). */
  async countAndTrip(subject: string, member: string, windowMs: number, threshold: number): Promise<TripResult> {
    const [count, state, window] = await this.redis.slidingWindowTrip(
      this.key(subject),
      `${this.key(subject)}:trip`,
      this.now(),
      windowMs,
      member,
      threshold,
    );
    return { count: Number(count), tripped: state === 2, over: state >= 1, window: window ?? [] };
  }

  /**
   * Takes back a count whose request was never stored (its transaction failed); with
   * `tripped`, also the trip marker it took, so the next request past the threshold trips.
   */
  async forget(subject: string, member: string, tripped = false): Promise<void> {
    await this.redis.zrem(this.key(subject), member).catch(() => undefined);
    if (tripped) await this.redis.del(`${this.key(subject)}:trip`).catch(() => undefined);
  }
}
