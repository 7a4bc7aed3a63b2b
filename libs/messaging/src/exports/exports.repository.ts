import type { Queryable } from '../db/db.service';
import { memberExportsMessageSql } from '../policy/visibility';
import { REPLY_QUOTE_SQL } from '../views/message-view';
import type { MessageRow } from '../messages/messages.repository';
import type { DataExportRow, ExportEdgeRow, ExportReportRow, ExportStatus } from './rows';

/** The SQL of data exports (API.md v1.2 "Your data"): requests, archive chunks, and the reads an archive is written from. */

interface DataExportRecord {
  id: string;
  user_id: string;
  status: ExportStatus;
  size: string | null;
  created_at: Date;
  ready_at: Date | null;
  expires_at: Date;
}

/** Times arrive as text or Date depending on the pool's type parsers. */
const at = (v: Date | string): Date => new Date(v);
const atOrNull = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

const toExport = (r: DataExportRecord): DataExportRow => ({
  id: r.id,
  userId: r.user_id,
  status: r.status,
  size: r.size === null ? null : Number(r.size),
  createdAt: at(r.created_at),
  readyAt: atOrNull(r.ready_at),
  expiresAt: at(r.expires_at),
});

/** Serialises one user's export requests until the transaction ends (the one-a-day rule holds under races). */
export async function lockUserRequests(q: Queryable, userId: string): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtextextended('data_export:' || $1::text, 0))`, [userId]);
}

/** Seconds until the user may request again (an export made within the last `windowSeconds`), or null. */
export async function secondsUntilNextRequest(q: Queryable, userId: string, windowSeconds: number): Promise<number | null> {
  const [row] = await q.query<{ wait: number }>(
    `SELECT ceil(extract(epoch FROM created_at + make_interval(secs => $2) - now()))::int AS wait
       FROM data_export WHERE user_id = $1 AND created_at > now() - make_interval(secs => $2)
      ORDER BY created_at DESC LIMIT 1`,
    [userId, windowSeconds],
  );
  return row ? row.wait : null;
}

export async function insertExport(q: Queryable, id: string, userId: string, expiresInSeconds: number): Promise<DataExportRow> {
  const [row] = await q.query<DataExportRecord>(
    `INSERT INTO data_export (id, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING *`,
    [id, userId, expiresInSeconds],
  );
  return toExport(row);
}

/** The user's export, unless it expired (the sweep deletes it soon after). */
export async function exportOfOwner(q: Queryable, id: string, userId: string): Promise<DataExportRow | null> {
  const [row] = await q.query<DataExportRecord>(`SELECT * FROM data_export WHERE id = $1 AND user_id = $2 AND expires_at > now()`, [
    id,
    userId,
  ]);
  return row ? toExport(row) : null;
}

/**
 * Makes the writing transaction read one snapshot (REPEATABLE READ), so an archive written in
 * many batches is consistent. Must be the transaction's first statement.
 */
export async function readOneSnapshot(q: Queryable): Promise<void> {
  await q.query(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`);
}

/**
 * Locks a pending export for writing (until the transaction ends); null when it is gone or
 * already written. A second run of the same job waits here, then finds it written.
 */
export async function lockPendingExport(q: Queryable, id: string): Promise<DataExportRow | null> {
  const [row] = await q.query<DataExportRecord>(`SELECT * FROM data_export WHERE id = $1 AND status = 'pending' FOR UPDATE`, [id]);
  return row ? toExport(row) : null;
}

export async function insertChunk(q: Queryable, exportId: string, n: number, bytes: Buffer): Promise<void> {
  await q.query(`INSERT INTO data_export_chunk (export_id, n, bytes) VALUES ($1, $2, $3)`, [exportId, n, bytes]);
}

/** Chunk `n` of an archive (0 first), or null past the last. */
export async function chunk(q: Queryable, exportId: string, n: number): Promise<Buffer | null> {
  const [row] = await q.query<{ bytes: Buffer }>(`SELECT bytes FROM data_export_chunk WHERE export_id = $1 AND n = $2`, [exportId, n]);
  return row ? row.bytes : null;
}

/** pending → ready; false when the export is gone (expired, or its user deleted). */
export async function markReady(q: Queryable, exportId: string, size: number): Promise<boolean> {
  const rows = await q.query(
    `UPDATE data_export SET status = 'ready', size = $2, ready_at = now() WHERE id = $1 AND status = 'pending' RETURNING 1`,
    [exportId, size],
  );
  return rows.length > 0;
}

/** Deletes expired exports with their chunks; how many. */
export async function deleteExpired(q: Queryable): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    `WITH del AS (DELETE FROM data_export WHERE expires_at <= now() RETURNING 1) SELECT count(*)::int AS n FROM del`,
  );
  return row?.n ?? 0;
}

/** A page of the people I follow, by their id after `afterId` (keyset). */
export async function followsAfter(q: Queryable, userId: string, afterId: string | null, limit: number): Promise<ExportEdgeRow[]> {
  const rows = await q.query<{ user_id: string; created_at: Date }>(
    `SELECT followee_id AS user_id, created_at FROM follow
      WHERE follower_id = $1 AND ($2::uuid IS NULL OR followee_id > $2) ORDER BY followee_id LIMIT $3`,
    [userId, afterId, limit],
  );
  return rows.map((r) => ({ userId: r.user_id, createdAt: at(r.created_at) }));
}

/** A page of the people I block, by their id after `afterId` (keyset). */
export async function blocksAfter(q: Queryable, userId: string, afterId: string | null, limit: number): Promise<ExportEdgeRow[]> {
  const rows = await q.query<{ user_id: string; created_at: Date }>(
    `SELECT blocked_id AS user_id, created_at FROM block
      WHERE blocker_id = $1 AND ($2::uuid IS NULL OR blocked_id > $2) ORDER BY blocked_id LIMIT $3`,
    [userId, afterId, limit],
  );
  return rows.map((r) => ({ userId: r.user_id, createdAt: at(r.created_at) }));
}

/** A page of the conversations I have a membership in (any state), by id after `afterId` (keyset). */
export async function membershipsAfter(q: Queryable, userId: string, afterId: string | null, limit: number): Promise<string[]> {
  const rows = await q.query<{ conversation_id: string }>(
    `SELECT conversation_id FROM conversation_member
      WHERE user_id = $1 AND ($2::uuid IS NULL OR conversation_id > $2)
      ORDER BY conversation_id LIMIT $3`,
    [userId, afterId, limit],
  );
  return rows.map((r) => r.conversation_id);
}

/**
 * A batch of the messages of a conversation that `userId`'s export holds (memberExportsMessageSql),
 * by seq after `afterSeq` (keyset): `message` rows with their reply quote, for messageView.
 */
export async function exportedMessagesAfter(
  q: Queryable,
  conversationId: string,
  userId: string,
  afterSeq: number,
  limit: number,
): Promise<MessageRow[]> {
  return q.query(
    `SELECT x.*, ${REPLY_QUOTE_SQL('x')} FROM message x JOIN conversation_member me ON me.conversation_id = x.conversation_id AND me.user_id = $2
      WHERE x.conversation_id = $1 AND x.seq > $3 AND ${memberExportsMessageSql('me', 'x')}
      ORDER BY x.seq LIMIT $4`,
    [conversationId, userId, afterSeq, limit],
  );
}

/** A page of the reports I filed, by id after `afterId` (keyset; ids are time-ordered). */
export async function reportsFiledAfter(q: Queryable, userId: string, afterId: string | null, limit: number): Promise<ExportReportRow[]> {
  const rows = await q.query<{
    id: string;
    subject_type: string;
    subject_id: string;
    reason: string;
    note: string | null;
    status: string;
    created_at: Date;
    resolved_at: Date | null;
  }>(
    `SELECT id, subject_type, subject_id, reason, note, status, created_at, resolved_at
       FROM report WHERE reporter_id = $1 AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3`,
    [userId, afterId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    reason: r.reason,
    note: r.note,
    status: r.status,
    createdAt: at(r.created_at),
    resolvedAt: atOrNull(r.resolved_at),
  }));
}
