import { Injectable } from '@nestjs/common';
import { Db } from '../../db/db.service';
import { InvalidRequest, NotFound } from '../../errors';
import { isUuid } from '../../ids';
import { AuditLogService } from '../../audit/audit-log.service';
import { userById } from '../../accounts/accounts.repository';
import { liftHold, placeHold } from '../../accounts/legal-holds.repository';
import type { StaffActor } from './reports.service';

/** Longest note a legal hold keeps (the reason staff give: a court order, a police request). */
const MAX_NOTE = 2000;

/**
 * Legal holds (API.md v1.2, `PUT`/`DELETE /admin/v1/users/:id/legal-hold`, admin): while one
 * stands, what would otherwise be erased from a deleted account's evidence is kept (frozen
 * report evidence after its report closed, the staff-only copies of its messages). Placing and
 * lifting are each one audit entry, written with the change.
 */
@Injectable()
export class LegalHoldsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLogService,
  ) {}

  async place(userId: string, staff: StaffActor, rawNote: unknown): Promise<void> {
    const note = parseNote(rawNote, true)!;
    await this.db.tx(async (q) => {
      await assertUser(q, userId);
      const { before, after } = await placeHold(q, userId, note, staff.id);
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'user.legal_hold.place',
        subjectType: 'user',
        subjectId: userId,
        before: before && { note: before.note },
        after: { note: after.note },
      });
    });
  }

  /** Lifting a hold that is not there is a no-op (204), not audited. */
  async lift(userId: string, staff: StaffActor, rawNote: unknown): Promise<void> {
    const note = parseNote(rawNote, false);
    await this.db.tx(async (q) => {
      await assertUser(q, userId);
      const lifted = await liftHold(q, userId);
      if (!lifted) return;
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'user.legal_hold.lift',
        subjectType: 'user',
        subjectId: userId,
        before: { note: lifted.note },
        after: note === null ? null : { note },
      });
    });
  }
}

async function assertUser(q: Db | Parameters<typeof userById>[0], userId: string): Promise<void> {
  if (!isUuid(userId) || !(await userById(q, userId))) throw new NotFound('No such user.');
}

function parseNote(raw: unknown, required: boolean): string | null {
  if (raw === undefined || raw === null) {
    if (!required) return null;
  } else if (typeof raw === 'string' && raw.trim().length > 0 && raw.length <= MAX_NOTE) {
    return raw.trim();
  }
  throw new InvalidRequest(`note must be a non-empty text of at most ${MAX_NOTE} characters (why the account is held).`, [
    { field: 'note', problems: [required ? 'required, 1-2000 characters' : '1-2000 characters'] },
  ]);
}
