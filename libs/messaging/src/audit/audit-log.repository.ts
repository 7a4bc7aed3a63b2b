import type { Queryable } from '../db/db.service';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../db/staff-list';
import { iso } from '../db/row-values';

/**
 * The audit log's SQL (STYLE.md §9, §12): the append, the chain walk that `verify` checks,
 * and the console's list and detail. The rules (when the append runs, what counts as a
 * break, the Redis anchor) stay in AuditLogService.
 */

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
  /** A subject that is not a person, in words (SUBJECT_LABEL_SQL); null for people and unknown ones. */
  subjectLabel: string | null;
}

/** One entry to append; `before` and `after` already JSON text for the jsonb columns (or null). */
export interface AuditInsert {
  staffId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  beforeJson: string | null;
  afterJson: string | null;
}

/** What the insert trigger filled in: the entry's place in the chain. */
export interface AuditLink {
  id: string;
  seq: string;
  hash: string;
}

/** An entry as the chain walk sees it, with its hash recomputed by PostgreSQL. */
export interface ChainEntry {
  id: string;
  seq: number;
  prevHash: string;
  hash: string;
  computed: string;
}

interface AuditRecord {
  id: string | number;
  staff_id: string | null;
  staff_email?: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  before: unknown;
  after: unknown;
  created_at: Date | string;
  seq: string | number;
  prev_hash: string;
  hash: string;
  staff_name?: string | null;
  subject_handle?: string | null;
  subject_name?: string | null;
  subject_label?: string | null;
}

const toRow = (r: AuditRecord): AuditRow => ({
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
  subjectLabel: r.subject_label ?? null,
});

/**
 * The entry hash, recomputed to verify. Must stay identical to the expression in
 * Migration20261126130000_audit_chain (the insert trigger computes it there); only
 * pg_catalog built-ins, so the table's owner cannot swap in a forgiving function.
 */
const ENTRY_HASH_SQL = `encode(pg_catalog.sha256(convert_to(concat_ws('|',
    quote_nullable(a.prev_hash), a.seq::text, a.id::text, quote_nullable(a.staff_id::text), quote_nullable(a.action),
    quote_nullable(a.subject_type), quote_nullable(a.subject_id), quote_nullable(a.before::text), quote_nullable(a.after::text),
    to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')), 'UTF8')), 'hex')`;

/** Entries per chain-walk batch; a shorter batch is the end of the chain. */
export const CHAIN_BATCH = 5000;

/**
 * A subject that is not a person, named as staff speak of it ("Rule \"spam words\"", "Case
 * about @bob", "Harassment report about @bob", "Suspend of @bob"), so the console never shows
 * a bare id. Each branch is one index lookup by primary key (subject ids are uuids; anything
 * else is left unnamed); a person's own name comes from NAMES_JOIN.
 */
const SUBJECT_UUID = `(CASE WHEN a.subject_id ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' THEN a.subject_id::uuid END)`;
const who = (userIdSql: string) => `coalesce('@' || (SELECT x.handle FROM app_user x WHERE x.id = ${userIdSql}), 'a deleted account')`;
const SUBJECT_LABEL_SQL = `CASE a.subject_type
    WHEN 'rule' THEN (SELECT 'Rule "' || r.name || '"' FROM moderation_rule r WHERE r.id = ${SUBJECT_UUID})
    WHEN 'case' THEN (SELECT 'Case about ' || ${who('c.subject_user_id')} FROM moderation_case c WHERE c.id = ${SUBJECT_UUID})
    WHEN 'report' THEN (SELECT initcap(replace(r.reason, '_', ' ')) || ' report about ' || ${who('r.subject_user_id')}
                          FROM report r WHERE r.id = ${SUBJECT_UUID})
    WHEN 'appeal' THEN (SELECT 'Appeal by ' || ${who('ap.user_id')} FROM appeal ap WHERE ap.id = ${SUBJECT_UUID})
    WHEN 'action' THEN (SELECT initcap(replace(m.action, '_', ' ')) || ' of ' || ${who('m.user_id')}
                          FROM moderation_action m WHERE m.id = ${SUBJECT_UUID})
    WHEN 'template' THEN (SELECT 'Template "' || t.name || '"' FROM notice_template t WHERE t.id = ${SUBJECT_UUID})
    WHEN 'blocklist' THEN (SELECT 'Blocklist entry ' || b.pattern FROM blocklist_entry b WHERE b.id = ${SUBJECT_UUID})
    WHEN 'link' THEN (SELECT 'Link ' || l.url FROM link l WHERE l.id = ${SUBJECT_UUID})
    WHEN 'message' THEN (SELECT 'Message by ' || ${who('m.sender_id')} FROM message m WHERE m.id = ${SUBJECT_UUID} LIMIT 1)
  END`;

/** The staff member's name, and the subject's when it is a user or a staff member. */
const NAMES_SELECT = `s.email AS staff_email, s.display_name AS staff_name,
  coalesce(su.display_name, ss.display_name) AS subject_name, su.handle AS subject_handle,
  ${SUBJECT_LABEL_SQL} AS subject_label`;
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

/** Casts both texts to jsonb, so an encoding problem (e.g. a lone surrogate) fails now rather than at commit. */
export async function checkJsonb(q: Queryable, beforeJson: string | null, afterJson: string | null): Promise<void> {
  await q.query('SELECT $1::jsonb, $2::jsonb', [beforeJson, afterJson]);
}

/** Appends one entry; the insert trigger takes the chain's advisory lock and fills seq, prev_hash and hash. */
export async function insertEntry(q: Queryable, e: AuditInsert): Promise<AuditLink> {
  const [row] = await q.query<{ id: string; seq: string; hash: string }>(
    `INSERT INTO audit_log (staff_id, action, subject_type, subject_id, before, after) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, seq, hash`,
    [e.staffId, e.action, e.subjectType, e.subjectId, e.beforeJson, e.afterJson],
  );
  return { id: row.id, seq: row.seq, hash: row.hash };
}

/** Up to CHAIN_BATCH entries from seq `fromSeq` on, in seq order, each with its recomputed hash. */
export async function chainBatch(q: Queryable, fromSeq: number): Promise<ChainEntry[]> {
  const rows = await q.query<{ id: string | number; seq: string | number; prev_hash: string; hash: string; computed: string }>(
    `SELECT a.id, a.seq, a.prev_hash, a.hash, ${ENTRY_HASH_SQL} AS computed FROM audit_log a
          WHERE a.seq >= $1 ORDER BY a.seq LIMIT ${CHAIN_BATCH}`,
    [fromSeq],
  );
  return rows.map((r) => ({ id: String(r.id), seq: Number(r.seq), prevHash: r.prev_hash, hash: r.hash, computed: r.computed }));
}

/** An entry the walk from seq 1 never reaches (a seq below 1), if any. */
export async function strayEntryId(q: Queryable): Promise<string | undefined> {
  const [stray] = await q.query<{ id: string | number }>(`SELECT id FROM audit_log WHERE seq < 1 ORDER BY id LIMIT 1`);
  return stray && String(stray.id);
}

export function listEntries(q: Queryable, query: ListQuery): Promise<ListPage<AuditRow>> {
  return runList(
    q,
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

export async function entryById(q: Queryable, id: string): Promise<AuditRow | undefined> {
  const [row] = await q.query<AuditRecord>(`SELECT a.*, ${NAMES_SELECT} FROM audit_log a ${NAMES_JOIN} WHERE a.id = $1`, [id]);
  return row && toRow(row);
}
