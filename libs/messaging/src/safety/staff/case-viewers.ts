import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type RedisClient } from '../../redis';

/** How long a viewing lasts without a heartbeat: a process that died without saying so drops out after this. */
export const VIEWING_TTL_MS = 30_000;
/** Each API process refreshes its sockets' viewings this often. */
export const VIEWING_HEARTBEAT_MS = 10_000;

/**
 * One hash per case: field = a socket's id, value = `<expiresAtMs>|<json viewer>`, and field
 * `#v`, a version raised on every change. Join, leave and heartbeat ("touch") each run in one
 * script with the pruning of expired entries and the read, so two staff joining at once on
 * two processes get versions that order their lists: a console keeps the highest it saw.
 * Redis's own clock (one clock for every process); one key, so one slot on a cluster.
 */
const VIEWING_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local op, field, ttl = ARGV[1], ARGV[2], tonumber(ARGV[4])
local changed = false
if op == 'join' then
  changed = redis.call('HSET', KEYS[1], field, (now + ttl) .. '|' .. ARGV[3]) == 1
elseif op == 'leave' then
  changed = redis.call('HDEL', KEYS[1], field) == 1
elseif op == 'touch' and redis.call('HEXISTS', KEYS[1], field) == 1 then
  redis.call('HSET', KEYS[1], field, (now + ttl) .. '|' .. ARGV[3])
end
local all = redis.call('HGETALL', KEYS[1])
local live = {}
for i = 1, #all, 2 do
  local f, v = all[i], all[i + 1]
  if f ~= '#v' then
    local sep = string.find(v, '|', 1, true)
    if sep == nil or tonumber(string.sub(v, 1, sep - 1)) < now then
      redis.call('HDEL', KEYS[1], f)
      changed = true
    else
      table.insert(live, string.sub(v, sep + 1))
    end
  end
end
local version
if changed then version = redis.call('HINCRBY', KEYS[1], '#v', 1) else version = tonumber(redis.call('HGET', KEYS[1], '#v') or '0') end
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return {version, changed and 1 or 0, live}
`;

export interface CaseViewer {
  staffId: string;
  displayName: string;
}

export interface CaseViewing {
  caseId: string;
  /** Raised on every change of this case's viewers; of two lists, the higher version is the newer. */
  version: number;
  /** Staff with the case open now, each once (however many tabs), by name. */
  viewers: CaseViewer[];
  /** Whether this call changed the list (then everyone viewing should hear of it). */
  changed: boolean;
}

type ViewingRedis = RedisClient & {
  caseViewing(key: string, op: string, field: string, value: string, ttlMs: number): Promise<[number, number, string[]]>;
};

/**
 * Which staff have a case open right now, shared by every API process through Redis (the
 * console's "Also viewing", so two moderators do not work the same case unknowingly). Keyed
 * by socket, so a second tab of the same person, or their other process, leaves them listed
 * until the last one goes.
 */
@Injectable()
export class CaseViewers {
  private readonly redis: ViewingRedis;

  constructor(@Inject(REDIS) redis: RedisClient) {
    this.redis = redis as ViewingRedis;
    if (typeof this.redis.caseViewing !== 'function') redis.defineCommand('caseViewing', { numberOfKeys: 1, lua: VIEWING_LUA });
  }

  private key(caseId: string) {
    return `case-viewers:{${caseId}}`;
  }

  join(caseId: string, socketId: string, viewer: CaseViewer): Promise<CaseViewing> {
    return this.run(caseId, 'join', socketId, viewer);
  }

  leave(caseId: string, socketId: string): Promise<CaseViewing> {
    return this.run(caseId, 'leave', socketId);
  }

  /** The heartbeat: keeps this socket's viewing alive, and drops the expired ones of processes that died. */
  touch(caseId: string, socketId: string, viewer: CaseViewer): Promise<CaseViewing> {
    return this.run(caseId, 'touch', socketId, viewer);
  }

  private async run(caseId: string, op: 'join' | 'leave' | 'touch', socketId: string, viewer?: CaseViewer): Promise<CaseViewing> {
    const value = viewer ? JSON.stringify({ staffId: viewer.staffId, displayName: viewer.displayName }) : '';
    const [version, changed, live] = await this.redis.caseViewing(this.key(caseId), op, socketId, value, VIEWING_TTL_MS);
    const viewers = new Map<string, CaseViewer>();
    for (const raw of live) {
      try {
        const v = JSON.parse(raw) as CaseViewer;
        if (typeof v?.staffId === 'string') viewers.set(v.staffId, { staffId: v.staffId, displayName: String(v.displayName ?? '') });
      } catch {
        // An entry this code did not write: ignored.
      }
    }
    return {
      caseId,
      version: Number(version),
      viewers: [...viewers.values()].sort((a, b) => a.displayName.localeCompare(b.displayName) || a.staffId.localeCompare(b.staffId)),
      changed: Number(changed) === 1,
    };
  }
}
