import type { Queryable } from '../db/db.service';
import { newId } from '../ids';
import { memberSeesMessageSql } from '../policy/visibility';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../db/staff-list';
import { RULE_ACTIONS, RULE_KINDS, RULE_MODES, RULE_SCOPES, type CompilableRule, type RuleAction, type RuleScope } from './rule-matcher';

/**
 * The rules domain's SQL (STYLE.md §9, §12; docs/ARCHITECTURE.md "Entities"): the
 * `moderation_rule` table, read whole into each process's compiled matcher and written by
 * RulesService in one transaction with its audit entry, and the `rule_hit` record. SQL is
 * the one way to these tables (no entity). Functions take a Queryable, so they run on the
 * pool or inside `db.tx`, and hand back typed camelCase rows.
 */

/** A stored rule (the table is Migration20261126171130_moderation_rules). */
export interface ModerationRuleRow extends CompilableRule {
  /** The policy and severity (keys) its decisions name (API.md v1.2; default `other`). */
  policy: string | null;
  severity: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A stored rule with its matches in the last 24 hours and 7 days (dry-run and live alike). */
export interface RuleRow extends ModerationRuleRow {
  hitsDay: number;
  hitsWeek: number;
  /** The exempt accounts' handles, in handle order. */
  exemptHandles: string[];
}

export interface RuleHitRow {
  id: string;
  ruleId: string | null;
  ruleName: string;
  userId: string;
  userHandle: string | null;
  scope: RuleScope;
  mode: 'live' | 'dry_run';
  action: RuleAction;
  applied: boolean;
  pattern: string;
  conversationId: string | null;
  messageId: string | null;
  questionId: string | null;
  createdAt: Date;
}

/** One hit to record: the rule as it was compiled (its row may be gone by now). */
export interface NewRuleHit {
  rule: Pick<CompilableRule, 'id' | 'name' | 'mode' | 'action'>;
  pattern: string;
  scope: RuleScope;
  applied: boolean;
}

/** The fields a create or update writes. */
export type RuleFields = Omit<CompilableRule, 'id'>;

interface ModerationRuleRecord {
  id: string;
  name: string;
  enabled: boolean;
  mode: CompilableRule['mode'];
  kind: CompilableRule['kind'];
  patterns: string[];
  applies_to: RuleScope[];
  action: RuleAction;
  reason: string;
  exempt_user_ids: string[] | null;
  policy: string | null;
  severity: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

type RuleRecord = ModerationRuleRecord & {
  hits_day?: number | string | null;
  hits_week?: number | string | null;
  exempt_handles?: string[] | null;
};

interface RuleHitRecord {
  id: string;
  rule_id: string | null;
  rule_name: string;
  user_id: string;
  user_handle?: string | null;
  scope: RuleScope;
  mode: 'live' | 'dry_run';
  action: RuleAction;
  applied: boolean;
  pattern: string;
  conversation_id: string | null;
  message_id: string | null;
  question_id: string | null;
  created_at: Date;
}

// text[] and uuid[] arrive as arrays (node-postgres parses them), as the entity's ArrayType gave them.
const toModerationRule = (r: ModerationRuleRecord): ModerationRuleRow => ({
  id: r.id,
  name: r.name,
  enabled: r.enabled,
  mode: r.mode,
  kind: r.kind,
  patterns: r.patterns,
  appliesTo: r.applies_to,
  action: r.action,
  reason: r.reason,
  exemptUserIds: r.exempt_user_ids ?? [],
  policy: r.policy ?? null,
  severity: r.severity ?? null,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toRule = (r: RuleRecord): RuleRow => ({
  ...toModerationRule(r),
  hitsDay: Number(r.hits_day ?? 0),
  hitsWeek: Number(r.hits_week ?? 0),
  exemptHandles: r.exempt_handles ?? [],
});

const toHit = (r: RuleHitRecord): RuleHitRow => ({
  id: r.id,
  ruleId: r.rule_id,
  ruleName: r.rule_name,
  userId: r.user_id,
  userHandle: r.user_handle ?? null,
  scope: r.scope,
  mode: r.mode,
  action: r.action,
  applied: r.applied,
  pattern: r.pattern,
  conversationId: r.conversation_id,
  messageId: r.message_id,
  questionId: r.question_id,
  createdAt: r.created_at,
});

// ---- the compiled matcher and screening -----------------------------------------------------

/** Every stored rule, enabled or not, oldest first: what each process compiles. */
export async function allRules(q: Queryable): Promise<ModerationRuleRow[]> {
  const rows = await q.query<ModerationRuleRecord>('SELECT * FROM moderation_rule ORDER BY created_at ASC, id ASC');
  return rows.map(toModerationRule);
}

/**
 * Of these conversations, the viewer's pending requests holding a visible message they may
 * read (the one visibility predicate) that a live `hide` rule matched.
 */
export async function requestsHiddenByRule(q: Queryable, viewerId: string, conversationIds: string[]): Promise<string[]> {
  const rows = await q.query<{ conversation_id: string }>(
    `SELECT DISTINCT m.conversation_id FROM conversation_member m
           JOIN rule_hit h ON h.conversation_id = m.conversation_id AND h.action = 'hide' AND h.applied
           JOIN message x ON x.id = h.message_id
          WHERE m.user_id = $1 AND m.conversation_id = ANY($2::uuid[]) AND m.state = 'pending' AND x.state = 'visible'
            AND ${memberSeesMessageSql('m', 'x')}`,
    [viewerId, conversationIds],
  );
  return rows.map((r) => r.conversation_id);
}

/** What picks the rules for a send: the conversation's kind, and whether someone but the sender is still pending (a request). */
export async function sendScope(
  q: Queryable,
  conversationId: string,
  senderId: string,
): Promise<{ kind: 'direct' | 'group' | 'room'; pending: boolean } | undefined> {
  const [row] = await q.query<{ kind: 'direct' | 'group' | 'room'; pending: boolean }>(
    `SELECT c.kind, EXISTS (SELECT 1 FROM conversation_member o WHERE o.conversation_id = c.id AND o.user_id <> $2 AND o.state = 'pending') AS pending
         FROM conversation c WHERE c.id = $1`,
    [conversationId, senderId],
  );
  return row;
}

/** Records the hits of one screening (one statement; a hit whose rule is gone keeps its name and a null rule_id). */
export async function insertHits(
  q: Queryable,
  s: { userId: string; conversationId: string | null; messageId: string | null; questionId: string | null },
  hits: readonly NewRuleHit[],
): Promise<void> {
  await q.query(
    `INSERT INTO rule_hit (id, rule_id, rule_name, user_id, scope, mode, action, applied, pattern, conversation_id, message_id, question_id)
       SELECT x.id, r.id, x.rule_name, $1, x.scope, x.mode, x.action, x.applied, x.pattern, $2, $3, $4
         FROM jsonb_to_recordset($5::jsonb) AS x(id uuid, rule_id uuid, rule_name text, scope text, mode text, action text, applied boolean, pattern text)
         LEFT JOIN moderation_rule r ON r.id = x.rule_id`,
    [
      s.userId,
      s.conversationId,
      s.messageId,
      s.questionId,
      JSON.stringify(
        hits.map((h) => ({
          id: newId(),
          rule_id: h.rule.id,
          rule_name: h.rule.name,
          scope: h.scope,
          mode: h.rule.mode,
          action: h.rule.action,
          applied: h.applied,
          pattern: h.pattern,
        })),
      ),
    ],
  );
}

// ---- staff: rules -----------------------------------------------------------------------------

/** Rule writes take this transaction lock, so two of them cannot both pass the MAX_RULES_PROGRAM check. */
const RULES_WRITE_LOCK = 7_314_020_611;

const RULES: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'r.id' },
    q: { kind: 'search', columns: ['r.name', 'r.reason', "array_to_string(r.patterns, ' ')"] },
    kind: { kind: 'enum', sql: 'r.kind', values: RULE_KINDS },
    action: { kind: 'enum', sql: 'r.action', values: RULE_ACTIONS },
    mode: { kind: 'enum', sql: 'r.mode', values: RULE_MODES },
    enabled: { kind: 'bool', sql: 'r.enabled' },
  },
  sorts: {
    name: 'r.name',
    createdAt: 'r.created_at',
    updatedAt: 'r.updated_at',
    kind: 'r.kind',
    action: 'r.action',
    mode: 'r.mode',
    enabled: 'r.enabled',
    id: 'r.id',
  },
  tiebreak: 'r.id ASC',
};

const HIT_COUNTS = `
  (SELECT count(*)::int FROM rule_hit h WHERE h.rule_id = r.id AND h.created_at > now() - interval '1 day') AS hits_day,
  (SELECT count(*)::int FROM rule_hit h WHERE h.rule_id = r.id AND h.created_at > now() - interval '7 days') AS hits_week,
  (SELECT coalesce(array_agg(u.handle ORDER BY u.handle), '{}') FROM app_user u WHERE u.id = ANY(r.exempt_user_ids)) AS exempt_handles`;

export function listRules(q: Queryable, query: ListQuery): Promise<ListPage<RuleRow>> {
  return runList(
    q,
    RULES,
    query,
    (c) => ({
      sql: `SELECT r.*, ${HIT_COUNTS}, count(*) OVER () AS _total FROM moderation_rule r ${c.where} ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n FROM moderation_rule r ${c.where}`,
    }),
    toRule,
  );
}

export async function ruleById(q: Queryable, id: string): Promise<RuleRow | undefined> {
  const [row] = await q.query<RuleRecord>(`SELECT r.*, ${HIT_COUNTS} FROM moderation_rule r WHERE r.id = $1`, [id]);
  return row && toRule(row);
}

/** FOR UPDATE on the rule's row; false when there is no such rule. */
export async function lockRule(q: Queryable, id: string): Promise<boolean> {
  const [locked] = await q.query<{ id: string }>('SELECT id FROM moderation_rule WHERE id = $1 FOR UPDATE', [id]);
  return !!locked;
}

export async function insertRule(q: Queryable, id: string, input: RuleFields, createdBy: string): Promise<void> {
  await q.query(
    `INSERT INTO moderation_rule (id, name, enabled, mode, kind, patterns, applies_to, action, reason, exempt_user_ids, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      input.name,
      input.enabled,
      input.mode,
      input.kind,
      input.patterns,
      input.appliesTo,
      input.action,
      input.reason,
      input.exemptUserIds,
      createdBy,
    ],
  );
}

export async function updateRule(q: Queryable, id: string, input: RuleFields): Promise<void> {
  await q.query(
    `UPDATE moderation_rule SET name = $2, enabled = $3, mode = $4, kind = $5, patterns = $6, applies_to = $7, action = $8,
                reason = $9, exempt_user_ids = $10, updated_at = now() WHERE id = $1`,
    [
      id,
      input.name,
      input.enabled,
      input.mode,
      input.kind,
      input.patterns,
      input.appliesTo,
      input.action,
      input.reason,
      input.exemptUserIds,
    ],
  );
}

/** The policy and severity (keys) the rule's decisions name. */
export async function setRulePolicy(q: Queryable, id: string, policy: string, severity: string): Promise<void> {
  await q.query('UPDATE moderation_rule SET policy = $2, severity = $3 WHERE id = $1', [id, policy, severity]);
}

export async function deleteRule(q: Queryable, id: string): Promise<void> {
  await q.query('DELETE FROM moderation_rule WHERE id = $1', [id]);
}

/** Serialises rule writes until the transaction ends (call inside `db.tx`). */
export async function lockRuleWrites(q: Queryable): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock($1)', [RULES_WRITE_LOCK]);
}

/** The patterns of every stored regex rule but this one, enabled or not. */
export async function regexPatternsExcept(q: Queryable, id: string): Promise<string[][]> {
  const others = await q.query<{ patterns: string[] }>(`SELECT patterns FROM moderation_rule WHERE kind = 'regex' AND id <> $1`, [id]);
  return others.map((r) => r.patterns);
}

// ---- staff: hits --------------------------------------------------------------------------------

const HITS: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'h.id' },
    ruleId: { kind: 'uuid', sql: 'h.rule_id' },
    userId: { kind: 'uuid', sql: 'h.user_id' },
    messageId: { kind: 'uuid', sql: 'h.message_id' },
    conversationId: { kind: 'uuid', sql: 'h.conversation_id' },
    mode: { kind: 'enum', sql: 'h.mode', values: RULE_MODES },
    action: { kind: 'enum', sql: 'h.action', values: RULE_ACTIONS },
    scope: { kind: 'enum', sql: 'h.scope', values: RULE_SCOPES },
    applied: { kind: 'bool', sql: 'h.applied' },
  },
  sorts: { createdAt: 'h.created_at', ruleName: 'h.rule_name', scope: 'h.scope', action: 'h.action', mode: 'h.mode', id: 'h.id' },
  tiebreak: 'h.id DESC',
};

export function listHits(q: Queryable, query: ListQuery): Promise<ListPage<RuleHitRow>> {
  return runList(
    q,
    HITS,
    query,
    (c) => ({
      sql: `SELECT h.*, u.handle AS user_handle, count(*) OVER () AS _total FROM rule_hit h LEFT JOIN app_user u ON u.id = h.user_id ${c.where} ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n FROM rule_hit h ${c.where}`,
    }),
    toHit,
  );
}

export async function hitById(q: Queryable, id: string): Promise<RuleHitRow | undefined> {
  const [row] = await q.query<RuleHitRecord>(
    'SELECT h.*, u.handle AS user_handle FROM rule_hit h LEFT JOIN app_user u ON u.id = h.user_id WHERE h.id = $1',
    [id],
  );
  return row && toHit(row);
}
