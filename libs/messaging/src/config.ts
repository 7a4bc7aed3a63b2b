/**
 * The only place that reads process.env (STYLE.md, convention 3). Parsed once at boot;
 * a malformed value stops the process with one line naming the variable.
 */
export type AppRole = 'api' | 'worker';

export interface RateLimitSetting {
  points: number;
  duration: number; // seconds
}

export interface AppConfig {
  nodeEnv: string;
  port: number;
  host: string;
  databaseUrl: string;
  /** The role that migrates (owns the tables); null: DATABASE_URL does both. */
  databaseMigrationUrl: string | null;
  redisUrl: string;
  /** REDIS_CLUSTER_NODES: seed nodes of a Redis Cluster; null: the single Redis at REDIS_URL. */
  redisClusterNodes: Array<{ host: string; port: number }> | null;
  redisPrefix: string;
  /** DATABASE_REPLICA_URL: a streaming replica for lag-tolerant reads; null: everything on DATABASE_URL. */
  databaseReplicaUrl: string | null;
  roles: AppRole[];
  jwtSecret: string | null;
  adminEmail: string | null;
  adminPassword: string | null;
  logLevel: string;
  /** pretty (human lines, for a terminal) or json (one object per line, for log shipping). */
  logFormat: 'pretty' | 'json';
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  eventRetentionDays: number;
  /** Days the text and links of an unsent or removed message are kept for staff (report evidence). */
  unsentRetentionDays: number;
  reportFirstResponseHours: number;
  /** Days a person may appeal an action (APPEAL_WINDOW_DAYS; DSA Art. 20 asks for at least six months). */
  appealWindowDays: number;
  linkVerdictTtlHours: number;
  linkPendingSweepSeconds: number;
  /** How long a message request's recipient waits for a link verdict before the message is shown anyway. */
  heldLinkMaxSeconds: number;
  adminStaticDir: string | null;
  spamScoreThreshold: number;
  /** Link occurrences one blocklist re-scan job handles before handing on to the next. */
  blocklistRescanBatch: number;
  /** Bearer token for GET /metrics; null: /metrics answers loopback callers only. */
  metricsToken: string | null;
  /** Online link-reputation sources by name (LINK_PROVIDERS, comma list); empty = offline only. */
  linkProviders: LinkProviderName[];
  urlhausAuthKey: string | null;
  /** Reputation feeds imported on a schedule (LINK_FEEDS: comma list of `format:location`, a file path or an http(s) URL). */
  linkFeeds: LinkFeed[];
  /** How often the feeds are imported (LINK_FEED_INTERVAL_MINUTES) and how long an imported verdict lasts unless seen again (twice that, at least a day). */
  linkFeedIntervalMinutes: number;
  /** Open sockets one user may hold across all API processes; a new one over it closes the oldest. */
  maxSocketsPerUser: number;
  /**
   * What the server may hold for one socket that is not taking what it is sent (a paused TCP
   * connection, a polling client that stopped polling): bytes (SOCKET_MAX_BUFFERED_BYTES) and
   * packets (SOCKET_MAX_BUFFERED_MESSAGES). Past either, the socket is closed; the client
   * reconnects and syncs from its cursor.
   */
  socketMaxBufferedBytes: number;
  socketMaxBufferedMessages: number;
  /** Keys of the host app's backend for /platform/v1 (PLATFORM_API_KEYS); empty: every platform route is 404. */
  platformApiKeys: PlatformApiKey[];
  /** The host's identity provider (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE); null: only our own tokens. */
  hostAuth: HostAuthSetting | null;
  /** REGISTRATION=off: POST /v1/auth/register answers 403 registration_closed (the host owns accounts). */
  registrationOpen: boolean;
  /** PASSWORD_HASH_COST: production (default) or test, which boot refuses unless NODE_ENV=test. */
  passwordHashCost: 'production' | 'test';
  /** Where staff enforcement against a host-linked user is reported (PLATFORM_WEBHOOK_*); null: not reported. */
  platformWebhook: PlatformWebhookSetting | null;
  /** The EU DSA Transparency Database submitter (DSA_TDB_URL and DSA_TDB_TOKEN); null: off. */
  dsaTdb: DsaTdbSetting | null;
  /**
   * The pile-on breaker (API.md v1.2): more than `requests` new message requests to one person
   * within `windowMinutes` (half as many after a room they spoke in ended within the hour)
   * switch their Limits on for `limitsHours`. PILE_ON_REQUESTS, PILE_ON_WINDOW_MINUTES,
   * PILE_ON_LIMITS_HOURS.
   */
  pileOn: { requests: number; windowMinutes: number; limitsHours: number };
  /**
   * Fan-out of first messages: a sender who starts more than `requests` conversations with
   * strangers within `windowMinutes` has the next ones held for staff review (the spam-request
   * queue). FANOUT_REQUESTS, FANOUT_WINDOW_MINUTES.
   */
  fanOut: { requests: number; windowMinutes: number };
  limits: {
    sendBurst: RateLimitSetting;
    sendSustained: RateLimitSetting;
    conversationsPerHour: RateLimitSetting;
    requestsPerDay: RateLimitSetting;
    questionsPerRoom: RateLimitSetting;
    reportsPerHour: RateLimitSetting;
    /** Failed sign-ins per account (handle or staff email) and client address. */
    loginPerAccountAndIp: RateLimitSetting;
    /** Failed sign-ins per client address per day, whatever the account. */
    loginPerIp: RateLimitSetting;
    registerPerIp: RateLimitSetting;
    /** Calls per platform key (LIMIT_PLATFORM). */
    platformPerKey: RateLimitSetting;
    /** Searches per user (LIMIT_SEARCH): each ranks every matching message the caller can read. */
    searchPerUser: RateLimitSetting;
    /** Blocks, unblocks, restricts and unrestricts per user (LIMIT_BLOCKS). */
    blocksPerUser: RateLimitSetting;
    /** Hidden-words updates per user (LIMIT_HIDDEN_WORDS). */
    hiddenWordsPerUser: RateLimitSetting;
    /** Decline-all calls per user (LIMIT_DECLINE_ALL). */
    declineAllPerUser: RateLimitSetting;
    /** Failed platform authentications (wrong keys) per client address (LIMIT_PLATFORM_AUTH_FAILURES). */
    platformAuthFailuresPerIp: RateLimitSetting;
  };
}

export interface PlatformApiKey {
  /** What logs show (the key itself is never logged). */
  name: string;
  key: string;
}

export interface HostAuthSetting {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** AUTH_JWKS_COOLDOWN_SECONDS: after a fetch, an unknown `kid` refetches the JWKS no sooner than this. */
  jwksCooldownSeconds: number;
}

export interface PlatformWebhookSetting {
  url: string;
  secret: string;
  /** PLATFORM_WEBHOOK_ALLOW_PRIVATE=true: deliver to loopback/private addresses (tests, a receiver on the same host). */
  allowPrivate: boolean;
}

export interface DsaTdbSetting {
  /** The database's base URL, e.g. https://transparency.dsa.ec.europa.eu (the API is under /api/v1). */
  url: string;
  token: string;
  /** DSA_TDB_RETRY_BASE_MS: the first wait after a 5xx or a network error; each retry doubles it. */
  retryBaseMs: number;
  /** DSA_TDB_EVERY_SECONDS: how often the submitter runs. */
  everySeconds: number;
}

export class ConfigError extends Error {}

export const LINK_PROVIDER_NAMES = ['urlhaus'] as const;
export type LinkProviderName = (typeof LINK_PROVIDER_NAMES)[number];

function linkProviders(env: Env): LinkProviderName[] {
  const names = (env.LINK_PROVIDERS ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(LINK_PROVIDER_NAMES as readonly string[]).includes(n)) {
      throw new ConfigError(`LINK_PROVIDERS: unknown provider "${n}" (known: ${LINK_PROVIDER_NAMES.join(', ')})`);
    }
  }
  if (names.includes('urlhaus') && !env.URLHAUS_AUTH_KEY)
    throw new ConfigError('URLHAUS_AUTH_KEY: required when LINK_PROVIDERS includes urlhaus');
  return [...new Set(names)] as LinkProviderName[];
}

export const LINK_FEED_FORMATS = ['urlhaus', 'phishtank', 'openphish'] as const;
export type LinkFeedFormat = (typeof LINK_FEED_FORMATS)[number];
export interface LinkFeed {
  format: LinkFeedFormat;
  /** A file path, or an http(s) URL of the dump. */
  location: string;
}

/** LINK_FEEDS: `urlhaus:/data/urlhaus.csv,openphish:https://openphish.com/feed.txt` (a location may hold `:` but not `,`). */
export function linkFeeds(raw: string | undefined): LinkFeed[] {
  const feeds: LinkFeed[] = [];
  for (const entry of (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const at = entry.indexOf(':');
    const format = at > 0 ? entry.slice(0, at).trim().toLowerCase() : '';
    const location = at > 0 ? entry.slice(at + 1).trim() : '';
    if (!(LINK_FEED_FORMATS as readonly string[]).includes(format)) {
      throw new ConfigError(`LINK_FEEDS: "${entry}" must be format:location with format one of ${LINK_FEED_FORMATS.join(', ')}`);
    }
    if (!location) throw new ConfigError(`LINK_FEEDS: "${entry}" names no file or URL`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !/^https?:\/\//i.test(location)) {
      throw new ConfigError(`LINK_FEEDS: "${entry}": a URL location must be http or https`);
    }
    feeds.push({ format: format as LinkFeedFormat, location });
  }
  return feeds;
}

type Env = Record<string, string | undefined>;

const KEY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const KEY_TEXT = /^[\x21-\x7e]{16,256}$/;

/**
 * PLATFORM_API_KEYS: comma-separated `name:key` (the name is what logs show) or bare `key`
 * (logged as `key1`, `key2`, ... by position). Keys are 16-256 printable characters.
 */
export function platformApiKeys(env: Env): PlatformApiKey[] {
  const raw = env.PLATFORM_API_KEYS ?? '';
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const out: PlatformApiKey[] = [];
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const name = colon > 0 ? entry.slice(0, colon) : `key${i + 1}`;
    const key = colon > 0 ? entry.slice(colon + 1) : entry;
    if (!KEY_NAME.test(name)) throw new ConfigError(`PLATFORM_API_KEYS: entry ${i + 1}: a name is 1-64 of A-Z a-z 0-9 _ . -`);
    if (!KEY_TEXT.test(key))
      throw new ConfigError(`PLATFORM_API_KEYS: entry ${i + 1} (${name}): a key is 16-256 printable characters without spaces or commas`);
    if (out.some((k) => k.name === name)) throw new ConfigError(`PLATFORM_API_KEYS: the name "${name}" is used twice`);
    if (out.some((k) => k.key === key)) throw new ConfigError(`PLATFORM_API_KEYS: entry ${i + 1} (${name}) repeats a key`);
    out.push({ name, key });
  });
  return out;
}

function hostAuth(env: Env): HostAuthSetting | null {
  const names = ['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE'] as const;
  const set = names.filter((n) => env[n]);
  if (set.length === 0) return null;
  if (set.length < names.length) throw new ConfigError(`${names.filter((n) => !env[n]).join(', ')}: required with ${set.join(', ')}`);
  return {
    jwksUrl: url(env, 'AUTH_JWKS_URL', '', ['https:', 'http:']),
    issuer: env.AUTH_ISSUER!,
    audience: env.AUTH_AUDIENCE!,
    jwksCooldownSeconds: int(env, 'AUTH_JWKS_COOLDOWN_SECONDS', 30, 0, 3600),
  };
}

function passwordHashCost(env: Env): 'production' | 'test' {
  const raw = (env.PASSWORD_HASH_COST ?? 'production').trim().toLowerCase();
  if (raw !== 'production' && raw !== 'test') {
    throw new ConfigError(`PASSWORD_HASH_COST: expected production or test, got "${env.PASSWORD_HASH_COST}"`);
  }
  if (raw === 'test' && env.NODE_ENV !== 'test') {
    throw new ConfigError(
      'PASSWORD_HASH_COST=test is only for the test suite (NODE_ENV=test); unset it to hash passwords at production cost',
    );
  }
  return raw;
}

function registrationOpen(env: Env): boolean {
  const raw = (env.REGISTRATION ?? 'on').trim().toLowerCase();
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`REGISTRATION: expected on or off, got "${env.REGISTRATION}"`);
  return raw === 'on';
}

function bool(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name}: expected true or false, got "${env[name]}"`);
}

function dsaTdb(env: Env): DsaTdbSetting | null {
  if (!env.DSA_TDB_URL && !env.DSA_TDB_TOKEN) return null;
  if (!env.DSA_TDB_URL || !env.DSA_TDB_TOKEN) throw new ConfigError('DSA_TDB_URL and DSA_TDB_TOKEN: set both (the submitter) or neither');
  return {
    url: url(env, 'DSA_TDB_URL', '', ['https:', 'http:']).replace(/\/+$/, ''),
    token: env.DSA_TDB_TOKEN,
    retryBaseMs: int(env, 'DSA_TDB_RETRY_BASE_MS', 2000, 1, 600_000),
    everySeconds: int(env, 'DSA_TDB_EVERY_SECONDS', 600, 1, 86400),
  };
}

function platformWebhook(env: Env): PlatformWebhookSetting | null {
  if (!env.PLATFORM_WEBHOOK_URL) {
    if (env.PLATFORM_WEBHOOK_SECRET) throw new ConfigError('PLATFORM_WEBHOOK_URL: required with PLATFORM_WEBHOOK_SECRET');
    return null;
  }
  const secret = env.PLATFORM_WEBHOOK_SECRET ?? '';
  if (secret.length < 16) throw new ConfigError('PLATFORM_WEBHOOK_SECRET: required with PLATFORM_WEBHOOK_URL, at least 16 characters');
  return {
    url: url(env, 'PLATFORM_WEBHOOK_URL', '', ['https:', 'http:']),
    secret,
    allowPrivate: bool(env, 'PLATFORM_WEBHOOK_ALLOW_PRIVATE'),
  };
}

/** `host:port,host:port` (IPv6 as `[::1]:7000`); at least one node. */
function clusterNodes(env: Env): Array<{ host: string; port: number }> | null {
  const raw = (env.REDIS_CLUSTER_NODES ?? '').trim();
  if (raw === '') return null;
  return raw.split(',').map((item) => {
    const m = /^\[?([^\]\s]+?)\]?:(\d{1,5})$/.exec(item.trim());
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
      throw new ConfigError(`REDIS_CLUSTER_NODES: expected host:port[,host:port...], got "${item.trim()}"`);
    return { host: m[1], port: Number(m[2]) };
  });
}

function metricsToken(env: Env): string | null {
  const raw = env.METRICS_TOKEN;
  if (raw === undefined || raw === '') return null;
  if (raw.length < 16 || !/^[\x21-\x7e]+$/.test(raw))
    throw new ConfigError('METRICS_TOKEN: use at least 16 printable characters without spaces');
  return raw;
}

function int(env: Env, name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name}: expected a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name}: must be between ${min} and ${max}, got ${n}`);
  return n;
}

function url(env: Env, name: string, def: string, protocols: string[]): string {
  const raw = env[name] ?? def;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name}: not a URL: "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name}: expected a ${protocols.join(' or ')} URL, got "${parsed.protocol}"`);
  }
  return raw;
}

/** `N/S` → N points per S seconds, e.g. SEND_LIMIT_BURST=20/10. */
function limit(env: Env, name: string, def: RateLimitSetting): RateLimitSetting {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    throw new ConfigError(`${name}: expected POINTS/SECONDS like 20/10, got "${raw}"`);
  }
  return { points: Number(m[1]), duration: Number(m[2]) };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const rolesRaw = (env.APP_ROLES ?? 'api,worker')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  for (const r of rolesRaw) {
    if (r !== 'api' && r !== 'worker') throw new ConfigError(`APP_ROLES: unknown role "${r}" (use api, worker or api,worker)`);
  }
  if (rolesRaw.length === 0) throw new ConfigError('APP_ROLES: name at least one role (api, worker)');
  const jwtSecret = env.JWT_SECRET ?? null;
  if (jwtSecret !== null && jwtSecret.length < 32) throw new ConfigError('JWT_SECRET: must be at least 32 characters');
  const adminEmail = env.ADMIN_EMAIL || null;
  const adminPassword = env.ADMIN_PASSWORD || null;
  if (adminEmail && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) throw new ConfigError(`ADMIN_EMAIL: not an email address: "${adminEmail}"`);
  if (adminPassword && adminPassword.length < 10) throw new ConfigError('ADMIN_PASSWORD: must be at least 10 characters');
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL: expected fatal|error|warn|info|debug|trace|silent, got "${logLevel}"`);
  }
  // Pretty when a person is watching (stdout is a terminal), JSON when piped or collected.
  const logFormat = env.LOG_FORMAT ?? (process.stdout.isTTY && env.NODE_ENV !== 'test' ? 'pretty' : 'json');
  if (logFormat !== 'pretty' && logFormat !== 'json') throw new ConfigError(`LOG_FORMAT: expected pretty|json, got "${logFormat}"`);
  const prefix = env.REDIS_PREFIX ?? 'bc:';
  if (!/^[A-Za-z0-9:_-]{1,64}$/.test(prefix)) throw new ConfigError('REDIS_PREFIX: use 1-64 of A-Z a-z 0-9 : _ -');
  return {
    nodeEnv: env.NODE_ENV ?? 'development',
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/backchannel', ['postgres:', 'postgresql:']),
    databaseMigrationUrl: env.DATABASE_MIGRATION_URL ? url(env, 'DATABASE_MIGRATION_URL', '', ['postgres:', 'postgresql:']) : null,
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisClusterNodes: clusterNodes(env),
    redisPrefix: prefix,
    databaseReplicaUrl: env.DATABASE_REPLICA_URL ? url(env, 'DATABASE_REPLICA_URL', '', ['postgres:', 'postgresql:']) : null,
    roles: rolesRaw as AppRole[],
    jwtSecret,
    adminEmail,
    adminPassword,
    logLevel,
    logFormat,
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 5, 86400),
    refreshTokenTtlDays: int(env, 'REFRESH_TOKEN_TTL_DAYS', 30, 1, 365),
    eventRetentionDays: int(env, 'EVENT_RETENTION_DAYS', 30, 1, 3650),
    unsentRetentionDays: int(env, 'UNSENT_RETENTION_DAYS', 30, 1, 3650),
    reportFirstResponseHours: int(env, 'REPORT_FIRST_RESPONSE_HOURS', 24, 1, 720),
    appealWindowDays: int(env, 'APPEAL_WINDOW_DAYS', 180, 1, 3650),
    linkVerdictTtlHours: int(env, 'LINK_VERDICT_TTL_HOURS', 24, 1, 8760),
    linkFeeds: linkFeeds(env.LINK_FEEDS),
    linkFeedIntervalMinutes: int(env, 'LINK_FEED_INTERVAL_MINUTES', 360, 1, 10080),
    linkPendingSweepSeconds: int(env, 'LINK_PENDING_SWEEP_SECONDS', 30, 1, 3600),
    heldLinkMaxSeconds: int(env, 'HELD_LINK_MAX_SECONDS', 10, 1, 3600),
    adminStaticDir: env.ADMIN_STATIC_DIR ?? null,
    spamScoreThreshold: int(env, 'SPAM_SCORE_THRESHOLD', 5, 0, 1000),
    blocklistRescanBatch: int(env, 'BLOCKLIST_RESCAN_BATCH', 500, 1, 10000),
    metricsToken: metricsToken(env),
    linkProviders: linkProviders(env),
    urlhausAuthKey: env.URLHAUS_AUTH_KEY || null,
    maxSocketsPerUser: int(env, 'MAX_SOCKETS_PER_USER', 10, 1, 1000),
    // 1 MiB, Centrifugo's default (client_queue_max_size), on top of the kernel's send buffer
    // (up to 4 MiB): some 60 of the largest events (16 KB), 2,000 typical ones. At least 64 KiB,
    // so that one event (a 16 KB text and a 16 KB quote) never passes it alone.
    socketMaxBufferedBytes: int(env, 'SOCKET_MAX_BUFFERED_BYTES', 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
    // 1,000 packets: bounds tiny ones (typing, read markers) whose per-packet overhead the byte
    // count misses; a connection that takes its data never holds more than one tick's packets.
    socketMaxBufferedMessages: int(env, 'SOCKET_MAX_BUFFERED_MESSAGES', 1000, 10, 1_000_000),
    platformApiKeys: platformApiKeys(env),
    hostAuth: hostAuth(env),
    registrationOpen: registrationOpen(env),
    passwordHashCost: passwordHashCost(env),
    platformWebhook: platformWebhook(env),
    dsaTdb: dsaTdb(env),
    pileOn: {
      requests: int(env, 'PILE_ON_REQUESTS', 20, 2, 1_000_000),
      windowMinutes: int(env, 'PILE_ON_WINDOW_MINUTES', 10, 1, 24 * 60),
      limitsHours: int(env, 'PILE_ON_LIMITS_HOURS', 24, 1, 28 * 24),
    },
    // Ten in ten minutes: a person writing to people they met in a room types each first
    // message (a minute or more apiece); a script sends dozens a minute. README, "Fan-out".
    fanOut: {
      requests: int(env, 'FANOUT_REQUESTS', 10, 1, 1_000_000),
      windowMinutes: int(env, 'FANOUT_WINDOW_MINUTES', 10, 1, 24 * 60),
    },
    limits: {
      sendBurst: limit(env, 'LIMIT_SEND_BURST', { points: 20, duration: 10 }),
      sendSustained: limit(env, 'LIMIT_SEND_SUSTAINED', { points: 300, duration: 3600 }),
      conversationsPerHour: limit(env, 'LIMIT_CONVERSATIONS', { points: 60, duration: 3600 }),
      requestsPerDay: limit(env, 'LIMIT_REQUESTS', { points: 50, duration: 86400 }),
      questionsPerRoom: limit(env, 'LIMIT_QUESTIONS', { points: 10, duration: 3600 }),
      reportsPerHour: limit(env, 'LIMIT_REPORTS', { points: 30, duration: 3600 }),
      loginPerAccountAndIp: limit(env, 'LIMIT_LOGIN_HANDLE', { points: 10, duration: 900 }),
      loginPerIp: limit(env, 'LIMIT_LOGIN_IP', { points: 300, duration: 86400 }),
      registerPerIp: limit(env, 'LIMIT_REGISTER_IP', { points: 300, duration: 3600 }),
      platformPerKey: limit(env, 'LIMIT_PLATFORM', { points: 6000, duration: 60 }),
      platformAuthFailuresPerIp: limit(env, 'LIMIT_PLATFORM_AUTH_FAILURES', { points: 30, duration: 600 }),
      searchPerUser: limit(env, 'LIMIT_SEARCH', { points: 60, duration: 60 }),
      blocksPerUser: limit(env, 'LIMIT_BLOCKS', { points: 300, duration: 3600 }),
      hiddenWordsPerUser: limit(env, 'LIMIT_HIDDEN_WORDS', { points: 60, duration: 3600 }),
      declineAllPerUser: limit(env, 'LIMIT_DECLINE_ALL', { points: 120, duration: 3600 }),
    },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
