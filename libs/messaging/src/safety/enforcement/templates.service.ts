import { Injectable } from '@nestjs/common';
import { Db } from '../../db/db.service';
import { NotFound } from '../../errors';
import { isUuid, newId } from '../../ids';
import { AuditLogService } from '../audit/audit-log.service';
import type { StaffActor } from '../reports/reports.service';
import { iso } from '../rows';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../staff/staff-list';
import { assertKnownVariables, templateVariables } from './statements';

/** A notice text with {{variables}}, chosen when resolving (templateId). */
export interface TemplateRow {
  id: string;
  name: string;
  body: string;
  variables: string[];
  createdAt: string;
  updatedAt: string;
  updatedBy: string | null;
}

const toTemplate = (r: any): TemplateRow => ({
  id: r.id,
  name: r.name,
  body: r.body,
  variables: templateVariables(r.body),
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
  updatedBy: r.updated_by ?? null,
});

const LIST: ListSpec = {
  filters: { id: { kind: 'uuid', sql: 't.id' }, q: { kind: 'search', columns: ['t.name', 't.body'] } },
  sorts: { name: 't.name', createdAt: 't.created_at', updatedAt: 't.updated_at', id: 't.id' },
  tiebreak: 't.id ASC',
};

/**
 * The library of notice templates. Staff read them; admins write them, and every write is
 * in the audit log with the text before and after. A body may only use the known variables
 * (422 template_variable_unknown); filling them happens when a decision is sent.
 */
@Injectable()
export class TemplatesService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLogService,
  ) {}

  list(query: ListQuery): Promise<ListPage<TemplateRow>> {
    return runList(
      this.db,
      LIST,
      query,
      (c) => ({
        sql: `SELECT t.*, count(*) OVER () AS _total FROM notice_template t ${c.where} ${c.orderBy}`,
        countSql: `SELECT count(*)::int AS n FROM notice_template t ${c.where}`,
      }),
      toTemplate,
    );
  }

  async one(id: string): Promise<TemplateRow> {
    if (!isUuid(id)) throw new NotFound('No such template.');
    const row = await this.db.one('SELECT * FROM notice_template WHERE id = $1', [id]);
    if (!row) throw new NotFound('No such template.');
    return toTemplate(row);
  }

  async create(staff: StaffActor, input: { name: string; body: string }): Promise<TemplateRow> {
    assertKnownVariables(input.body);
    return this.db.tx(async (q) => {
      const [row] = await q.query('INSERT INTO notice_template (id, name, body, updated_by) VALUES ($1, $2, $3, $4) RETURNING *', [
        newId(),
        input.name,
        input.body,
        staff.id,
      ]);
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'template.create',
        subjectType: 'template',
        subjectId: row.id,
        after: { name: row.name, body: row.body },
      });
      return toTemplate(row);
    });
  }

  async update(staff: StaffActor, id: string, input: { name?: string; body?: string }): Promise<TemplateRow> {
    if (!isUuid(id)) throw new NotFound('No such template.');
    if (input.body !== undefined) assertKnownVariables(input.body);
    return this.db.tx(async (q) => {
      const [before] = await q.query('SELECT * FROM notice_template WHERE id = $1 FOR UPDATE', [id]);
      if (!before) throw new NotFound('No such template.');
      const [row] = await q.query(
        'UPDATE notice_template SET name = $2, body = $3, updated_by = $4, updated_at = now() WHERE id = $1 RETURNING *',
        [id, input.name ?? before.name, input.body ?? before.body, staff.id],
      );
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'template.update',
        subjectType: 'template',
        subjectId: id,
        before: { name: before.name, body: before.body },
        after: { name: row.name, body: row.body },
      });
      return toTemplate(row);
    });
  }

  async remove(staff: StaffActor, id: string): Promise<TemplateRow> {
    if (!isUuid(id)) throw new NotFound('No such template.');
    return this.db.tx(async (q) => {
      const [row] = await q.query('DELETE FROM notice_template WHERE id = $1 RETURNING *', [id]);
      if (!row) throw new NotFound('No such template.');
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'template.delete',
        subjectType: 'template',
        subjectId: id,
        before: { name: row.name, body: row.body },
      });
      return toTemplate(row);
    });
  }
}
