import { Injectable } from '@nestjs/common';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../accounts/passwords';
import type { StaffRole } from '../../accounts/staff-roles';
import { STAFF_AUDIENCE, TokensService } from '../../accounts/tokens.service';
import { Db, PG_UNIQUE_VIOLATION } from '../../db/db.service';
import { EmailTaken, InvalidCredentials, NotFound, Unauthorized, Unprocessable } from '../../errors';
import { isUuid, newId } from '../../ids';
import { RateLimitsService } from '../../limits/rate-limits.service';
import { AuditLogService } from '../../audit/audit-log.service';
import type { ListPage, ListQuery } from '../../db/staff-list';
import type { StaffActor } from '../reports/reports.service';
import type { StaffRow } from './rows';
import { insertStaff, listStaff, lockEnabledAdmins, lockStaff, staffByEmail, staffById, updateStaff } from './staff.repository';

export interface StaffSession {
  staff: { id: string; email: string; role: StaffRole; displayName: string };
  accessToken: string;
}

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
    const row = await staffByEmail(this.db, email.trim().toLowerCase());
    const ok = await verifyPassword(row?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!row || !ok) throw new InvalidCredentials('Email or password is wrong.');
    await this.limits.loginSucceeded(key, ip);
    if (row.disabled) throw new Unauthorized('This staff account is disabled.');
    await this.audit.record(this.db, { staffId: row.id, action: 'staff.login', subjectType: 'staff', subjectId: row.id, after: { ip } });
    return {
      staff: { id: row.id, email: row.email, role: row.role, displayName: row.displayName },
      accessToken: this.tokens.signAccess(row.id, STAFF_AUDIENCE, { role: row.role }),
    };
  }

  list(query: ListQuery): Promise<ListPage<StaffRow>> {
    return listStaff(this.db.replica, query);
  }

  async one(id: string): Promise<StaffRow> {
    if (!isUuid(id)) throw new NotFound('No such staff member.');
    const row = await staffById(this.db, id);
    if (!row) throw new NotFound('No such staff member.');
    return row;
  }

  async create(actor: StaffActor, input: { email: string; displayName: string; password: string; role: StaffRole }): Promise<StaffRow> {
    const hash = await hashPassword(input.password);
    try {
      return await this.db.tx(async (q) => {
        const created = await insertStaff(q, {
          id: newId(),
          email: input.email.trim().toLowerCase(),
          displayName: input.displayName,
          passwordHash: hash,
          role: input.role,
        });
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
        const admins = await lockEnabledAdmins(q);
        const current = await lockStaff(q, id);
        if (!current) throw new NotFound('No such staff member.');
        const losesAdmin =
          current.role === 'admin' && !current.disabled && ((patch.role && patch.role !== 'admin') || patch.disabled === true);
        if (losesAdmin && admins.length <= 1) throw new Unprocessable('Keep at least one enabled admin: promote someone else first.');
        const after = await updateStaff(q, id, {
          email: patch.email?.trim().toLowerCase() ?? null,
          displayName: patch.displayName ?? null,
          role: patch.role ?? null,
          passwordHash: hash,
          disabled: patch.disabled ?? null,
        });
        await this.audit.record(q, {
          staffId: actor.id,
          action: 'staff.update',
          subjectType: 'staff',
          subjectId: id,
          before: current,
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
