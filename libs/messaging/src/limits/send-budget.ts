import type { RateLimitSetting } from '../config';
import type { RedisClient } from '../redis';

/**
 * Both send budgets in one script: the burst window (KEYS[1]) and the sustained one (KEYS[2]),
 * each a fixed window as rate-limiter-flexible's RateLimiterRedis keeps it (a counter whose
 * expiry the first spend sets). All or nothing: a send is admitted only if it fits in both,
 * and then spends one point of each; a refused send spends nothing. Returns
 * {admitted, burstUsed, burstMs, sustainedUsed, sustainedMs} (ms left in each window).
 * The two keys share a hash tag (the user id), so on a Redis Cluster they are in one slot.
 */
const SPEND_LUA = `
local cost = tonumber(ARGV[1])
local function state(key, seconds)
  local used = tonumber(redis.call('get', key) or '0')
  local ms = redis.call('pttl', key)
  if ms == -2 then return 0, seconds * 1000 end
  if ms == -1 then
    redis.call('expire', key, seconds)
    ms = seconds * 1000
  end
  return used, ms
end
local bUsed, bMs = state(KEYS[1], tonumber(ARGV[3]))
local sUsed, sMs = state(KEYS[2], tonumber(ARGV[5]))
if bUsed + cost > tonumber(ARGV[2]) or sUsed + cost > tonumber(ARGV[4]) then
  return {0, bUsed, bMs, sUsed, sMs}
end
local function spend(key, seconds)
  redis.call('set', key, 0, 'EX', seconds, 'NX')
  local used = redis.call('incrby', key, cost)
  local ms = redis.call('pttl', key)
  return used, ms
end
bUsed, bMs = spend(KEYS[1], tonumber(ARGV[3]))
sUsed, sMs = spend(KEYS[2], tonumber(ARGV[5]))
return {1, bUsed, bMs, sUsed, sMs}
`;

type SpendReply = [admitted: number, burstUsed: number, burstMs: number, sustainedUsed: number, sustainedMs: number];
type BudgetRedis = RedisClient & {
  sendBudgetSpend(burstKey: string, sustainedKey: string, cost: number, ...limits: number[]): Promise<SpendReply>;
};

/** Sweep expired local blocks once this many users are held. */
const SWEEP_AT = 10_000;

/**
 * The send budgets of issue #28: one Redis round trip (one script, one command) per admitted
 * send for both budgets, and none for a send from a user whose budget this process already
 * knows to be spent. The second part is rate-limiter-flexible's `inMemoryBlockOnConsumed`
 * (set to the budget's points): when a reply says a window is full, the user is refused in
 * memory until that window ends, which is exactly when Redis would admit them again.
 *
 * Admission is decided only by Redis, so the limits stay exact across processes: the local
 * block only ever refuses what Redis would refuse (a full window stays full until it expires:
 * nothing gives send points back). Another process learns of a spent budget from its own
 * first refusal.
 */
export class SendBudget {
  private readonly redis: BudgetRedis;
  /** userId → epoch ms until which a send is refused without asking Redis. */
  private readonly blockedUntil = new Map<string, number>();
  /** The map's size that triggers the next sweep: it doubles when a sweep frees little, so a wave of blocked users costs amortised O(1) per block, not a full walk each. */
  private sweepAt = SWEEP_AT;

  constructor(
    redis: RedisClient,
    private readonly burst: RateLimitSetting,
    private readonly sustained: RateLimitSetting,
    private readonly now: () => number = Date.now,
  ) {
    this.redis = redis as BudgetRedis;
    if (typeof this.redis.sendBudgetSpend !== 'function') {
      redis.defineCommand('sendBudgetSpend', { numberOfKeys: 2, lua: SPEND_LUA });
    }
  }

  /**
   * Spends one point of each budget, or answers how many ms until a send can pass (the
   * later end of the full windows). Rejects when Redis cannot answer.
   */
  async spend(userId: string): Promise<{ admitted: true } | { admitted: false; retryAfterMs: number }> {
    const now = this.now();
    const until = this.blockedUntil.get(userId);
    if (until !== undefined) {
      if (until > now) return { admitted: false, retryAfterMs: until - now };
      this.blockedUntil.delete(userId);
    }
    const [admitted, burstUsed, burstMs, sustainedUsed, sustainedMs] = await this.redis.sendBudgetSpend(
      `rl:sendBurst:{${userId}}`,
      `rl:sendSustained:{${userId}}`,
      1,
      this.burst.points,
      this.burst.duration,
      this.sustained.points,
      this.sustained.duration,
    );
    // The windows that are full: the next send is refused until the later of them ends.
    const fullForMs = Math.max(burstUsed >= this.burst.points ? burstMs : 0, sustainedUsed >= this.sustained.points ? sustainedMs : 0);
    if (fullForMs > 0) this.block(userId, this.now() + fullForMs);
    return admitted === 1 ? { admitted: true } : { admitted: false, retryAfterMs: Math.max(1, fullForMs) };
  }

  private block(userId: string, until: number): void {
    if (this.blockedUntil.size >= this.sweepAt) {
      const now = this.now();
      for (const [id, t] of this.blockedUntil) if (t <= now) this.blockedUntil.delete(id);
      this.sweepAt = Math.max(SWEEP_AT, 2 * this.blockedUntil.size);
    }
    this.blockedUntil.set(userId, until);
  }
}
