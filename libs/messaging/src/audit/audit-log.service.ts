import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RedisClient } from '../redis';
import { Db, isTx, type Queryable } from '../db/db.service';
import { NotFound } from '../errors';
import { REDIS } from '../redis';
import type { ListPage, ListQuery } from '../db/staff-list';
import {
  CHAIN_BATCH,
  chainBatch,
  checkJsonb,
  entryById,
  insertEntry,
  listEntries,
  strayEntryId,
  type AuditInsert,
  type AuditLink,
  type AuditRow,
} from './audit-log.repository';

export interface AuditEntry {
  staffId: string | null;
  action: string;
  subjectType?: string | null;
  subjectId?: string | null;
  before?: unknown;
  after?: unknown;
}

export type AuditVerification =
  | { ok: true; entries: number }
  | {
      ok: false;
      entries: number;
      firstBrokenId: string | null;
      reason: 'hash_mismatch' | 'broken_link' | 'gap' | 'truncated' | 'anchor_mismatch';
    };

const GENESIS = '0'.repeat(64);
/** The chain head as last seen after a commit, outside the database (see README "Audit log"). */
const ANCHOR_KEY = 'audit:anchor';
/** Keeps the anchor at the highest seq: appends commit in seq order, but their after-commit writes may race. */
const ANCHOR_SCRIPT = `local cur = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if tonumber(ARGV[1]) > cur then redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'id', ARGV[2], 'hash', ARGV[3]) end
return 1`;

/** A UTF-16 surrogate without its pair. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * JSON for a jsonb column. jsonb refuses a lone surrogate ("\ud800"), which JSON and so a
 * request body allow; it becomes U+FFFD, as the driver already writes it into text columns,
 * so an audited text reads the same as the row it describes (a 500 before: issue #33).
 */
function jsonbText(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'string' ? v.replace(LONE_SURROGATE, '\ufffd') : v));
}

/**
 * Who did what to which subject, and when, with the state before and after. Rows are only
 * ever inserted: the table refuses UPDATE, DELETE and TRUNCATE itself (a trigger in the
 * initial migration), so not even a bug in this service can rewrite history. Its owner can
 * still disable triggers, so entries also form a SHA-256 chain (seq, prevHash, hash), filled
 * by an insert trigger under an advisory lock; `verify` recomputes it, and the head is
 * anchored in Redis after each commit so removing the newest entries shows too.
 */
@Injectable()
export class AuditLogService {
  private readonly logger = new Logger(AuditLogService.name);

  constructor(
    private readonly db: Db,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  /**
   * Writes one row inside the caller's transaction, so the action and its record commit
   * together. In a Db.tx the insert waits until just before COMMIT: it takes the chain's
   * lock, and the last lock a transaction takes cannot be part of a deadlock cycle.
   */
  async record(q: Queryable, e: AuditEntry): Promise<void> {
    const entry: AuditInsert = {
      staffId: e.staffId,
      action: e.action,
      subjectType: e.subjectType ?? null,
      subjectId: e.subjectId ?? null,
      beforeJson: e.before === undefined ? null : jsonbText(e.before),
      afterJson: e.after === undefined ? null : jsonbText(e.after),
    };
    if (isTx(q)) {
      // Encoding problems (e.g. a lone surrogate in jsonb) still surface here, not at commit.
      await checkJsonb(q, entry.beforeJson, entry.afterJson);
      q.beforeCommit(async () => {
        const row = await insertEntry(q, entry);
        q.afterCommit(() => this.anchor(row));
      });
      return;
    }
    const row = await insertEntry(q, entry);
    await this.anchor(row);
  }

  private async anchor(row: AuditLink): Promise<void> {
    try {
      await this.redis.eval(ANCHOR_SCRIPT, 1, ANCHOR_KEY, String(row.seq), String(row.id), row.hash);
    } catch (err: any) {
      // A lagging anchor weakens only the truncation check; the entry itself is committed.
      this.logger.warn(`audit anchor not updated: ${err?.message ?? err}`);
    }
  }

  /**
   * Recomputes the chain in seq order, in batches: each entry's hash from its columns, its
   * prevHash against the entry before, its seq against the count; then the Redis anchor,
   * which must name an entry still present with the same hash.
   */
  async verify(): Promise<AuditVerification> {
    let expectSeq = 1;
    let prev = GENESIS;
    let entries = 0;
    const seqToId = new Map<number, { id: string; hash: string }>();
    const anchor = await this.redis.hgetall(ANCHOR_KEY).catch(() => ({}) as Record<string, string>);
    const anchorSeq = anchor.seq ? Number(anchor.seq) : 0;
    for (;;) {
      const rows = await chainBatch(this.db, expectSeq);
      for (const r of rows) {
        const id = r.id;
        if (r.seq !== expectSeq) return { ok: false, entries, firstBrokenId: id, reason: 'gap' };
        if (r.prevHash !== prev) return { ok: false, entries, firstBrokenId: id, reason: 'broken_link' };
        if (r.hash !== r.computed) return { ok: false, entries, firstBrokenId: id, reason: 'hash_mismatch' };
        if (expectSeq === anchorSeq) seqToId.set(expectSeq, { id, hash: r.hash });
        prev = r.hash;
        expectSeq++;
        entries++;
      }
      if (rows.length < CHAIN_BATCH) break;
    }
    // A row the walk from seq 1 never reached (a seq below 1) is a break too.
    const stray = await strayEntryId(this.db);
    if (stray !== undefined) return { ok: false, entries, firstBrokenId: stray, reason: 'gap' };
    if (anchorSeq > 0) {
      const held = seqToId.get(anchorSeq);
      if (!held) return { ok: false, entries, firstBrokenId: anchor.id ?? null, reason: 'truncated' };
      if (held.hash !== anchor.hash || held.id !== anchor.id)
        return { ok: false, entries, firstBrokenId: held.id, reason: 'anchor_mismatch' };
    }
    return { ok: true, entries };
  }

  list(query: ListQuery): Promise<ListPage<AuditRow>> {
    return listEntries(this.db.replica, query);
  }

  async one(id: string): Promise<AuditRow> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFound('No such audit entry.');
    const row = await entryById(this.db, id);
    if (!row) throw new NotFound('No such audit entry.');
    return row;
  }
}
