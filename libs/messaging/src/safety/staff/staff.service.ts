import { Injectable } from '@nestjs/common';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../accounts/passwords';
import type { StaffRole } from '../../accounts/staff.entity';
import { STAFF_AUDIENCE, TokensService } from '../../accounts/tokens.service';
import { Db, PG_UNIQUE_VIOLATION } from '../../db/db.service';
import { EmailTaken, InvalidCredentials, NotFound, Unauthorized, Unprocessable } from '../../errors';
import { isUuid, newId } from '../../ids';
import { RateLimitsService } from '../../limits/rate-limits.service';
import { AuditLogService } from '../audit/audit-log.service';
import { iso } from '../rows';
import { runList, type ListPage, type ListQuery, type ListSpec } from './staff-list';
import type { StaffActor } from '../reports/reports.service';

export interface StaffRow {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
  disabled: boolean;
  createdAt: string;
}

export interface StaffSession {
  staff: { id: string; email: string; role: StaffRole; displayName: string };
  accessToken: string;
}

const toStaff = (r: any): StaffRow => ({
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

/** Staff accounts: sign-in for the console, and their management by admins. */
@Injectable()
export class StaffService {
  constructor(
    private readonly db: Db,
    private readonly tokens: TokensService,
    private readonly limits: RateLimitsService,
    private readonly audit: AuditLogService,
  ) {}

  /**
   * Email + password → a staff-audience token (never valid on /v1). Each attempt is reserved
   * from the per-email-and-address and per-address budgets before the password is verified
   * (RateLimitsService.reserveLogin), so guessing gets 429s rather than answers and someone
   * who read an email in the audit log cannot lock its owner out from elsewhere; the dummy
   * hash keeps unknown emails as slow as known ones.
   */
  async login(email: string, password: string, ip: string): Promise<StaffSession> {
    const key = `staff:${email.trim().toLowerCase()}`;
    await this.limits.reserveLogin(key, ip);
    const row = await this.db.one('SELECT * FROM staff WHERE email = $1', [email.trim().toLowerCase()]);
    const ok = await verifyPassword(row?.password_hash ?? (await dummyPasswordHash()), password);
    if (!row || !ok) throw new InvalidCredentials('Email or password is wrong.');
    await this.limits.loginSucceeded(key, ip);
    if (row.disabled) throw new Unauthorized('This staff account is disabled.');
    await this.audit.record(this.db, { staffId: row.id, action: 'staff.login', subjectType: 'staff', subjectId: row.id, after: { ip } });
    return {
      staff: { id: row.id, email: row.email, role: row.role, displayName: row.display_name },
      accessToken: this.tokens.signAccess(row.id, STAFF_AUDIENCE, { role: row.role }),
    };
  }

  list(query: ListQuery): Promise<ListPage<StaffRow>> {
    return runList(
      this.db.replica,
      LIST,
      query,
      (c) => ({
        sql: `SELECT ${COLUMNS}, count(*) OVER () AS _total FROM staff s ${c.where} ${c.orderBy}`,
        countSql: `SELECT count(*)::int AS n FROM staff s ${c.where}`,
      }),
      toStaff,
    );
  }

  async one(id: string): Promise<StaffRow> {
    if (!isUuid(id)) throw new NotFound('No such staff member.');
    const row = await this.db.one(`SELECT ${COLUMNS} FROM staff s WHERE s.id = $1`, [id]);
    if (!row) throw new NotFound('No such staff member.');
    return toStaff(row);
  }

  async create(actor: StaffActor, input: { email: string; displayName: string; password: string; role: StaffRole }): Promise<StaffRow> {
    const hash = await hashPassword(input.password);
    try {
      return await this.db.tx(async (q) => {
        const [row] = await q.query(
          `INSERT INTO staff (id, email, display_name, password_hash, role) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS.replace(/s\./g, '')}`,
          [newId(), input.email.trim().toLowerCase(), input.displayName, hash, input.role],
        );
        const created = toStaff(row);
        await this.audit.record(q, {
          staffId: actor.id,
          action: 'staff.create',
          subjectType: 'staff',
          subjectId: created.id,
          after: created,
        });
        return created;
      });
    } catch (err: any) {
      if (err?.code === PG_UNIQUE_VIOLATION) throw new EmailTaken();
      throw err;
    }
  }

  /**
   * Changes role, name, email, password or disabled. The last enabled admin cannot demote
   * or disable themselves out of existence (the admin rows are locked, so two admins
   * demoting each other at once cannot both succeed).
   */
  async update(
    actor: StaffActor,
    id: string,
    patch: { email?: string; displayName?: string; role?: StaffRole; password?: string; disabled?: boolean },
  ): Promise<StaffRow> {
    if (!isUuid(id)) throw new NotFound('No such staff member.');
    const hash = patch.password ? await hashPassword(patch.password) : null;
    try {
      return await this.db.tx(async (q) => {
        const admins = await q.query(`SELECT id FROM staff WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE`);
        const [current] = await q.query(`SELECT ${COLUMNS.replace(/s\./g, '')} FROM staff WHERE id = $1 FOR UPDATE`, [id]);
        if (!current) throw new NotFound('No such staff member.');
        const losesAdmin =
          current.role === 'admin' && !current.disabled && ((patch.role && patch.role !== 'admin') || patch.disabled === true);
        if (losesAdmin && admins.length <= 1) throw new Unprocessable('Keep at least one enabled admin: promote someone else first.');
        const [row] = await q.query(
          `UPDATE staff SET email = coalesce($2, email), display_name = coalesce($3, display_name), role = coalesce($4, role),
                  password_hash = coalesce($5, password_hash), disabled = coalesce($6, disabled)
            WHERE id = $1 RETURNING ${COLUMNS.replace(/s\./g, '')}`,
          [id, patch.email?.trim().toLowerCase() ?? null, patch.displayName ?? null, patch.role ?? null, hash, patch.disabled ?? null],
        );
        const before = toStaff(current);
        const after = toStaff(row);
        await this.audit.record(q, {
          staffId: actor.id,
          action: 'staff.update',
          subjectType: 'staff',
          subjectId: id,
          before,
          after: { ...after, ...(hash ? { passwordChanged: true } : {}) },
        });
        return after;
      });
    } catch (err: any) {
      if (err?.code === PG_UNIQUE_VIOLATION) throw new EmailTaken();
      throw err;
    }
  }
}
