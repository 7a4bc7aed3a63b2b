import { Injectable } from '@nestjs/common';
import { Db } from '../../db/db.service';
import { NotFound } from '../../errors';
import { isUuid, newId } from '../../ids';
import { AuditLogService } from '../../audit/audit-log.service';
import type { StaffActor } from '../reports/reports.service';
import type { ListPage, ListQuery } from '../../db/staff-list';
import { assertKnownVariables } from './statements';
import * as templates from './templates.repository';
import type { TemplateRow } from './templates.repository';

/**
 * The library of notice templates. Staff read them; admins write them, and every write is
 * in the audit log with the text before and after. A body may only use the known variables
 * (422 template_variable_unknown); filling them happens when a decision is sent. A template
 * may also word the statement of reasons' facts (`facts`); a fresh install ships a few
 * (`builtIn`, migration 2026120730…), which admins may edit like any other.
 */
@Injectable()
export class TemplatesService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLogService,
  ) {}

  list(query: ListQuery): Promise<ListPage<TemplateRow>> {
    return templates.list(this.db, query);
  }

  async one(id: string): Promise<TemplateRow> {
    if (!isUuid(id)) throw new NotFound('No such template.');
    const row = await templates.byId(this.db, id);
    if (!row) throw new NotFound('No such template.');
    return row;
  }

  async create(staff: StaffActor, input: { name: string; body: string; facts?: string | null }): Promise<TemplateRow> {
    assertKnownVariables(input.body);
    if (input.facts) assertKnownVariables(input.facts);
    return this.db.tx(async (q) => {
      const row = await templates.insert(q, {
        id: newId(),
        name: input.name,
        body: input.body,
        facts: input.facts ?? null,
        updatedBy: staff.id,
      });
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'template.create',
        subjectType: 'template',
        subjectId: row.id,
        after: { name: row.name, body: row.body, facts: row.facts },
      });
      return row;
    });
  }

  async update(staff: StaffActor, id: string, input: { name?: string; body?: string; facts?: string | null }): Promise<TemplateRow> {
    if (!isUuid(id)) throw new NotFound('No such template.');
    if (input.body !== undefined) assertKnownVariables(input.body);
    if (input.facts) assertKnownVariables(input.facts);
    return this.db.tx(async (q) => {
      const before = await templates.lockById(q, id);
      if (!before) throw new NotFound('No such template.');
      const row = await templates.update(q, id, {
        name: input.name ?? before.name,
        body: input.body ?? before.body,
        facts: input.facts !== undefined ? input.facts : before.facts,
        updatedBy: staff.id,
      });
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'template.update',
        subjectType: 'template',
        subjectId: id,
        before: { name: before.name, body: before.body, facts: before.facts },
        after: { name: row.name, body: row.body, facts: row.facts },
      });
      return row;
    });
  }

  async remove(staff: StaffActor, id: string): Promise<TemplateRow> {
    if (!isUuid(id)) throw new NotFound('No such template.');
    return this.db.tx(async (q) => {
      const row = await templates.remove(q, id);
      if (!row) throw new NotFound('No such template.');
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'template.delete',
        subjectType: 'template',
        subjectId: id,
        before: { name: row.name, body: row.body, facts: row.facts },
      });
      return row;
    });
  }
}
