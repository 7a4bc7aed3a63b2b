import { Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../../db/db.service';
import { Conflict, InvalidRequest, NotFound } from '../../errors';
import { isUuid, newId } from '../../ids';
import { AuditLogService } from '../../audit/audit-log.service';
import type { ListPage, ListQuery } from '../../db/staff-list';
import { FALLBACK_POLICY, POLICY_KEY, REQUIRED_POLICIES, pickSeverity, validatePolicy, type PolicyChoice } from './policies';
import * as policies from './policies.repository';
import type { PolicyRow } from './policies.repository';

export type { PolicyChoice } from './policies';
export type { PolicyRow, Severity } from './policies.repository';

/** The staff member writing (the audit entry's staffId). */
interface StaffActor {
  id: string;
}

/** What a decision says about its policy; both optional (v1 and v1.1 clients send neither). */
export interface PolicyAsked {
  policy?: string | null;
  severity?: string | null;
  /** The report's reason, whose policy is the default (none: `other`). */
  reason?: string | null;
  /**
   * A default that comes first when the decision names nothing: the policy and severity of the
   * rule that held a message (a policy deleted since is skipped; a severity it no longer has
   * gives its first).
   */
  ruleDefault?: { policy?: string | null; severity?: string | null } | null;
}

/**
 * The policies decisions name (API.md v1.2): every staff role reads them, admins write them
 * (each write audited with the policy before and after), and `choose` is the one place a
 * decision's (policy, severity) is settled: resolves, direct actions, held-message rejections,
 * rules, malicious-link removals and reporting suspensions all ask it.
 */
@Injectable()
export class PoliciesService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLogService,
  ) {}

  list(query: ListQuery): Promise<ListPage<PolicyRow>> {
    return policies.list(this.db, query);
  }

  async one(id: string): Promise<PolicyRow> {
    const row = isUuid(id) ? await policies.byId(this.db, id) : undefined;
    if (!row) throw new NotFound('No such policy.');
    return row;
  }

  /** The policy with this key, or undefined. */
  findByKey(key: string, q: Queryable = this.db): Promise<PolicyRow | undefined> {
    return policies.findByKey(q, key);
  }

  /**
   * The policy and severity a decision takes. Named ones must exist (else 400
   * invalid_request); a policy named without a severity takes its first; when none is named,
   * the holding rule's (ruleDefault), else the policy whose key is the report's reason, else
   * `other`, at its first severity.
   */
  async choose(q: Queryable, asked: PolicyAsked, opts: { share?: boolean } = {}): Promise<PolicyChoice> {
    let policy: PolicyRow | undefined;
    if (asked.policy !== undefined && asked.policy !== null) {
      // Only a well-formed key is looked up: anything else (a NUL byte included) names no policy.
      policy =
        typeof asked.policy === 'string' && POLICY_KEY.test(asked.policy) ? await policies.findByKey(q, asked.policy, opts) : undefined;
      if (!policy) {
        throw new InvalidRequest(`There is no policy "${String(asked.policy)}".`, [{ field: 'policy', problems: ['unknown policy'] }]);
      }
    } else {
      const named = asked.severity !== undefined && asked.severity !== null;
      const rule = !named && asked.ruleDefault?.policy ? await policies.findByKey(q, asked.ruleDefault.policy, opts) : undefined;
      if (rule) {
        const severity = rule.severities.find((s) => s.key === asked.ruleDefault?.severity) ?? rule.severities[0];
        return { policy: rule, severity };
      }
      policy =
        (asked.reason ? await policies.findByKey(q, asked.reason, opts) : undefined) ??
        (await policies.findByKey(q, FALLBACK_POLICY, opts));
      // `other` cannot be deleted (REQUIRED_POLICIES) and is seeded by a migration.
      if (!policy) throw new Error(`The policy "${FALLBACK_POLICY}" is missing.`);
    }
    if (asked.severity !== undefined && asked.severity !== null && typeof asked.severity !== 'string') {
      throw new InvalidRequest('severity must be a string.', [{ field: 'severity', problems: ['must be a string'] }]);
    }
    return { policy, severity: pickSeverity(policy, asked.severity) };
  }

  async create(staff: StaffActor, body: Record<string, unknown>): Promise<PolicyRow> {
    const input = validatePolicy(body, null);
    return this.db.tx(async (q) => {
      const row = await policies.insert(q, newId(), input, staff.id);
      if (!row) throw new Conflict(`A policy with key "${input.key}" already exists.`, [{ field: 'key', problems: ['taken'] }]);
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'policy.create',
        subjectType: 'policy',
        subjectId: row.id,
        after: auditable(row),
      });
      return row;
    });
  }

  async update(staff: StaffActor, id: string, body: Record<string, unknown>): Promise<PolicyRow> {
    if (!isUuid(id)) throw new NotFound('No such policy.');
    return this.db.tx(async (q) => {
      const before = await policies.lockById(q, id);
      if (!before) throw new NotFound('No such policy.');
      const input = validatePolicy(body, before);
      const row = await policies.update(q, id, input, staff.id);
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'policy.update',
        subjectType: 'policy',
        subjectId: id,
        before: auditable(before),
        after: auditable(row),
      });
      return row;
    });
  }

  /**
   * Deletes a policy nothing depends on: the default ones other paths name by key, and
   * those a rule names, cannot be deleted (409 conflict). Actions taken under a deleted
   * policy keep its key, category and strikes.
   */
  async remove(staff: StaffActor, id: string): Promise<PolicyRow> {
    if (!isUuid(id)) throw new NotFound('No such policy.');
    return this.db.tx(async (q) => {
      const before = await policies.lockById(q, id);
      if (!before) throw new NotFound('No such policy.');
      if (REQUIRED_POLICIES.has(before.key)) {
        throw new Conflict(
          `The policy "${before.key}" cannot be deleted: report reasons, link removals or reporting suspensions use it. Edit it instead.`,
        );
      }
      const rules = await policies.rulesNaming(q, before.key);
      if (rules > 0) throw new Conflict(`The policy "${before.key}" cannot be deleted: ${rules} rule(s) name it.`);
      await policies.remove(q, id);
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'policy.delete',
        subjectType: 'policy',
        subjectId: id,
        before: auditable(before),
      });
      return before;
    });
  }
}

const auditable = (p: PolicyRow) => ({
  key: p.key,
  title: p.title,
  description: p.description,
  category: p.category,
  severities: p.severities,
});
