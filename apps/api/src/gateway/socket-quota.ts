import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/messaging/config';
import { REDIS, type RedisClient } from '@app/messaging/redis';

/**
 * Registers a socket in its user's set and returns the sockets over the cap, oldest first.
 * Scores are Redis's own clock in microseconds (one clock for every process); entries older
 * than the longest a socket can live (its token's lifetime) belong to sockets that are gone
 * (a process that died without saying so) and are dropped first.
 */
const ADMIT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local life = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - life * 1000000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('EXPIRE', KEYS[1], life)
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if over <= 0 then return {} end
local evicted = redis.call('ZRANGE', KEYS[1], 0, over - 1)
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1)
return evicted
`;

type QuotaRedis = RedisClient & { socketQuotaAdmit(key: string, socketId: string, lifeSeconds: number, max: number): Promise<string[]> };

/**
 * MAX_SOCKETS_PER_USER across every API process: a sorted set per user in the shared Redis,
 * updated atomically. Over the cap the OLDEST socket is closed, not the new one: a client
 * that just connected is the one in use, a dead phone's half-open socket would otherwise hold
 * a place until its ping timeout, and a set entry left by a crashed process is then simply
 * the first to go. A client closed by the server ("io server disconnect") does not reconnect
 * on its own, so two devices cannot evict each other in a loop.
 */
@Injectable()
export class SocketQuota {
  private readonly logger = new Logger(SocketQuota.name);
  private readonly redis: QuotaRedis;

  constructor(
    @Inject(REDIS) redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.redis = redis as QuotaRedis;
    if (typeof this.redis.socketQuotaAdmit !== 'function') {
      redis.defineCommand('socketQuotaAdmit', { numberOfKeys: 1, lua: ADMIT_LUA });
    }
  }

  private key(userId: string) {
    return `sockets:${userId}`;
  }

  /** The socket ids to close (this user's oldest beyond the cap); none if Redis cannot answer (the cap fails open). */
  async admit(userId: string, socketId: string): Promise<string[]> {
    try {
      const life = this.config.accessTokenTtlSeconds + 60;
      return await this.redis.socketQuotaAdmit(this.key(userId), socketId, life, this.config.maxSocketsPerUser);
    } catch (err) {
      this.logger.warn(`socket cap unavailable: ${(err as Error).message}`);
      return [];
    }
  }

  async release(userId: string, socketId: string): Promise<void> {
    await this.redis.zrem(this.key(userId), socketId).catch(() => undefined);
  }
}
