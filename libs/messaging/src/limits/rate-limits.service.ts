import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClient } from '../redis';
import { APP_CONFIG, type AppConfig, type RateLimitSetting } from '../config';
import { RateLimited, ServiceUnavailable } from '../errors';
import { REDIS } from '../redis';
import { SendBudget } from './send-budget';

/** The send budgets are spent together, only through spendSendBudget (SendBudget). */
type SendPolicy = 'sendBurst' | 'sendSustained';
export type LimitPolicy = Exclude<keyof AppConfig['limits'], SendPolicy>;

/**
 * Every limit is a rate-limiter-flexible limiter on the shared Redis: atomic (Lua) and
 * shared by every API process, so two processes cannot each grant the full budget. The two
 * send budgets are one script (SendBudget), on the hot path of every write.
 */
@Injectable()
export class RateLimitsService implements OnModuleInit {
  private limiters = new Map<string, RateLimiterRedis>();
  private sendBudget!: SendBudget;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit() {
    const { sendBurst, sendSustained, ...others } = this.config.limits;
    for (const [name, setting] of Object.entries(others)) {
      this.limiters.set(name, this.build(name, setting));
    }
    this.sendBudget = new SendBudget(this.redis, sendBurst, sendSustained);
  }

  private build(name: string, s: RateLimitSetting): RateLimiterRedis {
    return new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: `rl:${name}`,
      points: s.points,
      duration: s.duration,
      useRedisPackage: false,
    });
  }

  /**
   * Takes `points` from `policy` for `key`; throws RateLimited (429 + Retry-After) when
   * spent. `factor` < 1 tightens the budget (spam-flagged senders get a smaller one).
   */
  async consume(policy: LimitPolicy, key: string, points = 1, factor = 1): Promise<void> {
    const limiter = this.limiters.get(policy)!;
    const cost = factor > 0 && factor < 1 ? Math.ceil(points / factor) : points;
    try {
      await limiter.consume(key, cost);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw new RateLimited(res.msBeforeNext / 1000);
      throw new ServiceUnavailable('Rate limiting is unavailable (Redis); retry shortly.');
    }
  }

  /**
   * A write every member hears of (a send, an edit, a reaction) spends both send budgets, the
   * burst and the sustained one: one definition, so no kind of write escapes either (API.md
   * v1.2). One Redis command for both, none while this process knows the budget is spent
   * (SendBudget). 429 + Retry-After until a send can pass; 503 when Redis cannot answer.
   */
  async spendSendBudget(userId: string): Promise<void> {
    let spent: Awaited<ReturnType<SendBudget['spend']>>;
    try {
      spent = await this.sendBudget.spend(userId);
    } catch {
      throw new ServiceUnavailable('Rate limiting is unavailable (Redis); retry shortly.');
    }
    if (!spent.admitted) throw new RateLimited(spent.retryAfterMs / 1000);
  }

  /**
   * Sign-in guessing budgets, after rate-limiter-flexible's login-protection pattern: an
   * attempt is RESERVED before the password is verified (one atomic consume, so parallel
   * guesses cannot all slip past a check), per account AND client address (consecutive
   * failures: a stranger spends their own address's budget and cannot lock the owner out),
   * and per address per day (slow guessing across many accounts). A success gives both back.
   * `account` is namespaced by the caller (`user:<handle>`, `staff:<email>`).
   */
  async reserveLogin(account: string, ip: string): Promise<void> {
    const pair = `${account}|${ip}`;
    await this.consume('loginPerAccountAndIp', pair);
    try {
      await this.consume('loginPerIp', ip);
    } catch (err) {
      // Refused by the address budget: no password is verified, so the pair keeps its point.
      await this.reward('loginPerAccountAndIp', pair);
      throw err;
    }
  }

  /** The password was right: that account's failures from this address are forgotten, the attempt refunded. */
  async loginSucceeded(account: string, ip: string): Promise<void> {
    await Promise.all([this.reset('loginPerAccountAndIp', `${account}|${ip}`), this.reward('loginPerIp', ip)]);
  }

  async reward(policy: LimitPolicy, key: string, points = 1): Promise<void> {
    await this.limiters
      .get(policy)!
      .reward(key, points)
      .catch(() => undefined);
  }

  /** Gives points back (e.g. a successful login clears the per-handle failure budget). */
  async reset(policy: LimitPolicy, key: string): Promise<void> {
    await this.limiters
      .get(policy)!
      .delete(key)
      .catch(() => undefined);
  }

  /** Whether `key` still has budget, without spending any. */
  async remaining(policy: LimitPolicy, key: string): Promise<number> {
    const res = await this.limiters.get(policy)!.get(key);
    const total = this.config.limits[policy].points;
    return res ? Math.max(0, total - res.consumedPoints) : total;
  }

  async check(policy: LimitPolicy, key: string): Promise<void> {
    const res = await this.limiters.get(policy)!.get(key);
    if (res && res.consumedPoints >= this.config.limits[policy].points) throw new RateLimited(res.msBeforeNext / 1000);
  }
}
