import { Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../db/db.service';
import { NotFound } from '../errors';
import { runList, type ListPage, type ListQuery, type ListSpec } from './staff-list';
import { iso } from './rows';

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
  /** Names beside the ids, for the console. */
  staffName: string | null;
  subjectHandle: string | null;
  subjectName: string | null;
}

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
    staffQ: { kind: 'search', columns: ['(SELECT x.display_name FROM staff x WHERE x.id = a.staff_id)', '(SELECT x.email FROM staff x WHERE x.id = a.staff_id)'] },
  },
  sorts: { id: 'a.id', createdAt: 'a.created_at', action: 'a.action', staffId: 'a.staff_id' },
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
  staffName: r.staff_name ?? null,
  subjectHandle: r.subject_handle ?? null,
  subjectName: r.subject_name ?? null,
});

/**
 * Who did what to which subject, and when, with the state before and after. Rows are only
 * ever inserted: the table refuses UPDATE, DELETE and TRUNCATE itself (a trigger in the
 * initial migration), so not even a bug in this service can rewrite history.
 */
@Injectable()
export class AuditLogService {
  constructor(private readonly db: Db) {}

  /** Writes one row inside the caller's transaction, so the action and its record commit together. */
  async record(q: Queryable, e: AuditEntry): Promise<void> {
    await q.query(
      `INSERT INTO audit_log (staff_id, action, subject_type, subject_id, before, after) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        e.staffId,
        e.action,
        e.subjectType ?? null,
        e.subjectId ?? null,
        e.before === undefined ? null : JSON.stringify(e.before),
        e.after === undefined ? null : JSON.stringify(e.after),
      ],
    );
  }

  list(query: ListQuery): Promise<ListPage<AuditRow>> {
    return runList(
      this.db,
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
    const row = await this.db.one(
      `SELECT a.*, ${NAMES_SELECT} FROM audit_log a ${NAMES_JOIN} WHERE a.id = $1`,
      [id],
    );
    if (!row) throw new NotFound('No such audit entry.');
    return toRow(row);
  }
}
