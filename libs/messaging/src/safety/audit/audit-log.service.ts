import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RedisClient } from '../../redis';
import { Db, isTx, type Queryable } from '../../db/db.service';
import { NotFound } from '../../errors';
import { REDIS } from '../../redis';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../staff/staff-list';
import { iso } from '../rows';

export interface AuditEntry {
  staffId: string | null;
  action: string;
  subjectType?: string | null;
  subjectId?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditRow {
  id: string;
  staffId: string | null;
  staffEmail: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  before: unknown;
  after: unknown;
  createdAt: string;
  /** Position in the chain: 1, 2, 3, … without gaps. */
  seq: number;
  prevHash: string;
  hash: string;
  /** Names beside the ids, for the console. */
  staffName: string | null;
  subjectHandle: string | null;
  subjectName: string | null;
}

export type AuditVerification =
  | { ok: true; entries: number }
  | {
      ok: false;
      entries: number;
      firstBrokenId: string | null;
      reason: 'hash_mismatch' | 'broken_link' | 'gap' | 'truncated' | 'anchor_mismatch';
    };

/**
 * The entry hash, recomputed to verify. Must stay identical to the expression in
 * Migration20261126130000_audit_chain (the insert trigger computes it there); only
 * pg_catalog built-ins, so the table's owner cannot swap in a forgiving function.
 */
const ENTRY_HASH_SQL = `encode(pg_catalog.sha256(convert_to(concat_ws('|',
    quote_nullable(a.prev_hash), a.seq::text, a.id::text, quote_nullable(a.staff_id::text), quote_nullable(a.action),
    quote_nullable(a.subject_type), quote_nullable(a.subject_id), quote_nullable(a.before::text), quote_nullable(a.after::text),
    to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')), 'UTF8')), 'hex')`;
const GENESIS = '0'.repeat(64);
const VERIFY_BATCH = 5000;
/** The chain head as last seen after a commit, outside the database (see README "Audit log"). */
const ANCHOR_KEY = 'audit:anchor';
/** Keeps the anchor at the highest seq: appends commit in seq order, but their after-commit writes may race. */
const ANCHOR_SCRIPT = `local cur = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if tonumber(ARGV[1]) > cur then redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'id', ARGV[2], 'hash', ARGV[3]) end
return 1`;

/** The staff member's name, and the subject's when it is a user or a staff member. */
const NAMES_SELECT = `s.email AS staff_email, s.display_name AS staff_name,
  coalesce(su.display_name, ss.display_name) AS subject_name, su.handle AS subject_handle`;
const NAMES_JOIN = `LEFT JOIN staff s ON s.id = a.staff_id
  LEFT JOIN app_user su ON a.subject_type = 'user' AND su.id::text = a.subject_id
  LEFT JOIN staff ss ON a.subject_type = 'staff' AND ss.id::text = a.subject_id`;

const LIST: ListSpec = {
  filters: {
    id: { kind: 'text', sql: 'a.id::text' },
    staffId: { kind: 'uuid', sql: 'a.staff_id' },
    subjectId: { kind: 'text', sql: 'a.subject_id' },
    subjectType: { kind: 'text', sql: 'a.subject_type' },
    action: { kind: 'text', sql: 'a.action' },
    /** Staff by name or email (the console's staff filter; moderators cannot list staff). */
    staffQ: {
      kind: 'search',
      columns: ['(SELECT x.display_name FROM staff x WHERE x.id = a.staff_id)', '(SELECT x.email FROM staff x WHERE x.id = a.staff_id)'],
    },
  },
  sorts: { id: 'a.id', createdAt: 'a.created_at', action: 'a.action', staffId: 'a.staff_id', seq: 'a.seq' },
  tiebreak: 'a.id DESC',
};

const toRow = (r: any): AuditRow => ({
  id: String(r.id),
  staffId: r.staff_id,
  staffEmail: r.staff_email ?? null,
  action: r.action,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  before: r.before,
  after: r.after,
  createdAt: iso(r.created_at)!,
  seq: Number(r.seq),
  prevHash: r.prev_hash,
  hash: r.hash,
  staffName: r.staff_name ?? null,
  subjectHandle: r.subject_handle ?? null,
  subjectName: r.subject_name ?? null,
});

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
    const params = [
      e.staffId,
      e.action,
      e.subjectType ?? null,
      e.subjectId ?? null,
      e.before === undefined ? null : jsonbText(e.before),
      e.after === undefined ? null : jsonbText(e.after),
    ];
    const insert = () =>
      q.query(
        `INSERT INTO audit_log (staff_id, action, subject_type, subject_id, before, after) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, seq, hash`,
        params,
      );
    if (isTx(q)) {
      // Encoding problems (e.g. a lone surrogate in jsonb) still surface here, not at commit.
      await q.query('SELECT $1::jsonb, $2::jsonb', [params[4], params[5]]);
      q.beforeCommit(async () => {
        const [row] = await insert();
        q.afterCommit(() => this.anchor(row));
      });
      return;
    }
    const [row] = await insert();
    await this.anchor(row);
  }

  private async anchor(row: { id: string; seq: string; hash: string }): Promise<void> {
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
      const rows = await this.db.query(
        `SELECT a.id, a.seq, a.prev_hash, a.hash, ${ENTRY_HASH_SQL} AS computed FROM audit_log a
          WHERE a.seq >= $1 ORDER BY a.seq LIMIT ${VERIFY_BATCH}`,
        [expectSeq],
      );
      for (const r of rows) {
        const id = String(r.id);
        if (Number(r.seq) !== expectSeq) return { ok: false, entries, firstBrokenId: id, reason: 'gap' };
        if (r.prev_hash !== prev) return { ok: false, entries, firstBrokenId: id, reason: 'broken_link' };
        if (r.hash !== r.computed) return { ok: false, entries, firstBrokenId: id, reason: 'hash_mismatch' };
        if (expectSeq === anchorSeq) seqToId.set(expectSeq, { id, hash: r.hash });
        prev = r.hash;
        expectSeq++;
        entries++;
      }
      if (rows.length < VERIFY_BATCH) break;
    }
    // A row the walk from seq 1 never reached (a seq below 1) is a break too.
    const [stray] = await this.db.query(`SELECT id FROM audit_log WHERE seq < 1 ORDER BY id LIMIT 1`);
    if (stray) return { ok: false, entries, firstBrokenId: String(stray.id), reason: 'gap' };
    if (anchorSeq > 0) {
      const held = seqToId.get(anchorSeq);
      if (!held) return { ok: false, entries, firstBrokenId: anchor.id ?? null, reason: 'truncated' };
      if (held.hash !== anchor.hash || held.id !== anchor.id)
        return { ok: false, entries, firstBrokenId: held.id, reason: 'anchor_mismatch' };
    }
    return { ok: true, entries };
  }

  list(query: ListQuery): Promise<ListPage<AuditRow>> {
    return runList(
      this.db.replica,
      LIST,
      query,
      (c) => ({
        sql: `SELECT a.*, ${NAMES_SELECT}, count(*) OVER () AS _total
                FROM audit_log a ${NAMES_JOIN} ${c.where} ${c.orderBy}`,
        countSql: `SELECT count(*)::int AS n FROM audit_log a ${c.where}`,
      }),
      toRow,
    );
  }

  async one(id: string): Promise<AuditRow> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFound('No such audit entry.');
    const row = await this.db.one(`SELECT a.*, ${NAMES_SELECT} FROM audit_log a ${NAMES_JOIN} WHERE a.id = $1`, [id]);
    if (!row) throw new NotFound('No such audit entry.');
    return toRow(row);
  }
}
