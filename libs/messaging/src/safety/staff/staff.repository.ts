import type { Queryable } from '../../db/db.service';
import type { StaffRole } from '../../accounts/staff-roles';
import { iso } from '../../db/row-values';
import type { StaffCredentialsRow, StaffRow } from './rows';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../../db/staff-list';

/**
 * Staff accounts' SQL (STYLE.md §9, §12): sign-in lookup, the console's list, create and
 * update. The rules (normalising emails, keeping an enabled admin, auditing) are in StaffService.
 */

interface StaffRecord {
  id: string;
  email: string;
  display_name: string;
  role: StaffRole;
  disabled: boolean;
  created_at: Date | string;
}

const toStaff = (r: StaffRecord): StaffRow => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  disabled: r.disabled,
  createdAt: iso(r.created_at)!,
});

const LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 's.id' },
    role: { kind: 'enum', sql: 's.role', values: ['admin', 'moderator', 'triage'] },
    disabled: { kind: 'bool', sql: 's.disabled' },
    q: { kind: 'search', columns: ['s.email', 's.display_name'] },
  },
  sorts: { createdAt: 's.created_at', email: 's.email', displayName: 's.display_name', role: 's.role', disabled: 's.disabled', id: 's.id' },
  tiebreak: 's.id ASC',
};

const COLUMNS = 's.id, s.email, s.display_name, s.role, s.disabled, s.created_at';
const BARE_COLUMNS = COLUMNS.replace(/s\./g, '');

/** The account with this (already normalised) email, with its password hash. */
export async function staffByEmail(q: Queryable, email: string): Promise<StaffCredentialsRow | undefined> {
  const [row] = await q.query<StaffRecord & { password_hash: string }>('SELECT * FROM staff WHERE email = $1', [email]);
  return row && { ...toStaff(row), passwordHash: row.password_hash };
}

export function listStaff(q: Queryable, query: ListQuery): Promise<ListPage<StaffRow>> {
  return runList(
    q,
    LIST,
    query,
    (c) => ({
      sql: `SELECT ${COLUMNS}, count(*) OVER () AS _total FROM staff s ${c.where} ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n FROM staff s ${c.where}`,
    }),
    toStaff,
  );
}

export async function staffById(q: Queryable, id: string): Promise<StaffRow | undefined> {
  const [row] = await q.query<StaffRecord>(`SELECT ${COLUMNS} FROM staff s WHERE s.id = $1`, [id]);
  return row && toStaff(row);
}

/** How many staff accounts exist (start-up creates the first admin only when none does). */
export async function staffCount(q: Queryable): Promise<number> {
  const [row] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM staff');
  return row.n;
}

/** Inserts an account; a taken email is PostgreSQL's unique violation. */
export async function insertStaff(
  q: Queryable,
  s: { id: string; email: string; displayName: string; passwordHash: string; role: StaffRole },
): Promise<StaffRow> {
  const [row] = await q.query<StaffRecord>(
    `INSERT INTO staff (id, email, display_name, password_hash, role) VALUES ($1, $2, $3, $4, $5) RETURNING ${BARE_COLUMNS}`,
    [s.id, s.email, s.displayName, s.passwordHash, s.role],
  );
  return toStaff(row);
}

/** Locks the enabled admins' rows (in id order) and returns their ids. Call inside `db.tx`. */
export async function lockEnabledAdmins(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ id: string }>(`SELECT id FROM staff WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE`);
  return rows.map((r) => r.id);
}

/** The account, its row locked until the transaction ends. Call inside `db.tx`. */
export async function lockStaff(q: Queryable, id: string): Promise<StaffRow | undefined> {
  const [row] = await q.query<StaffRecord>(`SELECT ${BARE_COLUMNS} FROM staff WHERE id = $1 FOR UPDATE`, [id]);
  return row && toStaff(row);
}

/** Sets the fields given (null keeps a field); a taken email is PostgreSQL's unique violation. */
export async function updateStaff(
  q: Queryable,
  id: string,
  patch: {
    email: string | null;
    displayName: string | null;
    role: StaffRole | null;
    passwordHash: string | null;
    disabled: boolean | null;
  },
): Promise<StaffRow> {
  const [row] = await q.query<StaffRecord>(
    `UPDATE staff SET email = coalesce($2, email), display_name = coalesce($3, display_name), role = coalesce($4, role),
                  password_hash = coalesce($5, password_hash), disabled = coalesce($6, disabled)
            WHERE id = $1 RETURNING ${BARE_COLUMNS}`,
    [id, patch.email, patch.displayName, patch.role, patch.passwordHash, patch.disabled],
  );
  return toStaff(row);
}
