import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { Db, type Queryable } from '../db/db.service';
import { BlockedByRule, InvalidRequest, NotFound } from '../errors';
import { EventsService } from '../events/events.service';
import { isUuid, newId } from '../ids';
import { extractLinks } from '../links/link-extractor';
import { REDIS } from '../redis';
import { AuditLogService } from '../audit/audit-log.service';
import { iso } from '../db/row-values';
import { type ListPage, type ListQuery } from '../db/staff-list';
import { RULE_FLAG_REPORTS, RULE_POLICIES, type RuleFlagReports, type RulePolicies, type RuleStaff } from './rule-consequences';
import {
  ACTION_STRENGTH,
  MAX_PATTERNS,
  MAX_RULES_PROGRAM,
  RULE_ACTIONS,
  RULE_KINDS,
  RULE_MODES,
  RULE_SCOPES,
  RuleBook,
  RuleMatcher,
  patternsProblems,
  rulePrograms,
  type CompilableRule,
  type RuleAction,
  type RuleMatch,
  type RuleScope,
} from './rule-matcher';
import { idsByHandles } from '../accounts/accounts.repository';
import * as rules from './rules.repository';
import type { RuleHitRow } from './rules.repository';

export interface RuleView extends CompilableRule {
  /** The exempt accounts' handles (a staff member reads and writes them; ids are what the matcher uses). */
  exemptHandles: string[];
  policy: string | null;
  severity: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  /** Matches recorded in the last 24 hours and 7 days (dry-run and live alike). */
  hits: { day: number; week: number };
}

export type RuleHitView = Omit<RuleHitRow, 'createdAt'> & { createdAt: string };

/** One hit about to be recorded. */
interface PendingHit {
  rule: CompilableRule;
  pattern: string;
  scope: RuleScope;
  applied: boolean;
}

/**
 * What the rules decided about one send, before it is stored. `action` is the one carried
 * out (the strongest live one that can apply in this scope), null for dry-run hits only.
 */
export interface Screening {
  userId: string;
  conversationId: string | null;
  action: RuleAction | null;
  /** The message is stored `held` (a live `hold` rule). */
  held: boolean;
  hits: PendingHit[];
}

/** The most exempt accounts a rule names (validateRule's limit on exemptUserIds). */
const MAX_EXEMPT = 1000;
/** A handle as staff type it: an optional @, then a handle's characters (the lookup decides whether it exists). */
const HANDLE_INPUT = /^@?[A-Za-z0-9_.]{1,64}$/;

const DEFAULT_REASON = 'This message breaks a rule of this service.';
/** The scopes a message (not a question) can have. */
const MESSAGE_SCOPES: RuleScope[] = ['requests', 'direct', 'group', 'room'];
const VERSION_KEY = 'rules:version';
/** How often a process asks Redis whether the rules changed: an edit is live everywhere well within a second. */
const POLL_MS = 250;

const toRuleView = (r: rules.RuleRow): RuleView => ({
  id: r.id,
  name: r.name,
  enabled: r.enabled,
  mode: r.mode,
  kind: r.kind,
  patterns: r.patterns,
  appliesTo: r.appliesTo,
  action: r.action,
  reason: r.reason,
  exemptUserIds: r.exemptUserIds,
  exemptHandles: r.exemptHandles,
  policy: r.policy,
  severity: r.severity,
  createdBy: r.createdBy,
  createdAt: iso(r.createdAt)!,
  updatedAt: iso(r.updatedAt)!,
  hits: { day: r.hitsDay, week: r.hitsWeek },
});

const toHitView = (r: rules.RuleHitRow): RuleHitView => ({ ...r, createdAt: iso(r.createdAt)! });

/** The fields a create or update may set, after validation. */
type RuleInput = rules.RuleFields;

const hostOf = (url: string): string => {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
};

/**
 * Staff rules (API.md v1.1 "Rules"): CRUD with an audit entry per change, the compiled
 * matcher every send runs (cached per process, rebuilt when the Redis version key moves, so
 * an edit on one process is live on all within POLL_MS), the decision for a send or a
 * question (screen), and the record of every hit.
 */
@Injectable()
export class RulesService implements OnModuleDestroy {
  private readonly logger = new Logger(RulesService.name);
  private compiled: RuleBook | null = null;
  /** Every stored rule, enabled or not, for the console's test (compiled on its first call per version). */
  private stored: CompilableRule[] = [];
  private testMatcher: RuleMatcher | null = null;
  private version: string | null = null;
  private loading: Promise<RuleBook> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly audit: AuditLogService,
    @Inject(RULE_FLAG_REPORTS) private readonly flagReports: RuleFlagReports,
    private readonly events: EventsService,
    @Inject(RULE_POLICIES) private readonly policies: RulePolicies,
  ) {}

  onModuleDestroy() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  // ---- the compiled matcher ------------------------------------------------------------

  /** The compiled rules; loaded on first use, then kept fresh by the version poll. */
  async book(): Promise<RuleBook> {
    return this.compiled ?? this.load();
  }

  private load(): Promise<RuleBook> {
    this.loading ??= (async () => {
      try {
        const version = await this.redis.get(VERSION_KEY).catch(() => null);
        // A stored rule is a compilable one (ModerationRuleRow extends CompilableRule).
        this.stored = await rules.allRules(this.db);
        this.compiled = new RuleBook(this.stored);
        this.testMatcher = null;
        for (const warning of this.compiled.costWarnings()) this.logger.warn(`rules: ${warning}`);
        this.version = version;
        this.startPolling();
        return this.compiled;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  private startPolling() {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.loading) return;
      this.redis
        .get(VERSION_KEY)
        .then((v) => (v !== this.version ? this.load() : undefined))
        .catch((err) => this.logger.warn(`rules version poll: ${err?.message ?? err}`));
    }, POLL_MS);
    this.timer.unref();
  }

  /** After a committed change: move the version (other processes reload) and reload here at once. */
  private async changed(): Promise<void> {
    await this.redis.incr(VERSION_KEY).catch((err) => this.logger.warn(`rules version bump: ${err?.message ?? err}`));
    if (this.compiled || this.timer) await this.load();
  }

  // ---- screening a send ----------------------------------------------------------------

  /**
   * Before a message is stored: the rules that match its text or links and apply in this
   * conversation's scope. Null (the common case) when none does; with no enabled rule at all
   * the text is not even normalised. A live `block` throws 403 blocked_by_rule (its hits
   * recorded first); otherwise the caller stores the message (held when `held`) and hands
   * the result to `settle`. An edit (`edit`) of a message members have already read cannot be
   * held without hiding what they saw, so for an edit a live `hold` refuses as `block` does:
   * its hits name the editor and the conversation, never a message that was not held.
   * The caller screens only a write it has already allowed (the editor's own message).
   */
  async screenMessage(
    senderId: string,
    conversationId: string,
    text: string,
    urls: readonly string[],
    opts: { edit?: boolean } = {},
  ): Promise<Screening | null> {
    const book = this.compiled ?? (await this.book());
    if (!book.covers(MESSAGE_SCOPES)) return null;
    // When every message rule applies to every kind of message, the scopes do not change which
    // rules run: match first, and read the conversation only on a match (the common send makes
    // no extra round trip). Otherwise the scopes pick the rules, so they are read first.
    const uniform = book.uniformOver(MESSAGE_SCOPES);
    const early = uniform
      ? book
          .forScopes(MESSAGE_SCOPES)
          .match(text, urls.map(hostOf))
          .filter((m) => !m.rule.exemptUserIds.includes(senderId))
      : null;
    if (early && early.length === 0) return null;
    const ctx = await rules.sendScope(this.db, conversationId, senderId);
    if (!ctx) return null; // the send answers 404 itself
    const scopes: RuleScope[] = ctx.kind === 'room' ? ['room'] : ctx.pending ? ['requests', ctx.kind] : [ctx.kind];
    const matches =
      early ??
      book
        .forScopes(scopes)
        .match(text, urls.map(hostOf))
        .filter((m) => !m.rule.exemptUserIds.includes(senderId));
    return matches.length ? this.decide(senderId, conversationId, matches, scopes, opts.edit ?? false) : null;
  }

  /** Before a room question is stored: as screenMessage, scope `questions`. */
  async screenQuestion(authorId: string, text: string, urls: readonly string[]): Promise<Screening | null> {
    const matcher = (this.compiled ?? (await this.book())).forScopes(['questions']);
    if (matcher.empty) return null;
    const matches = matcher.match(text, urls.map(hostOf)).filter((m) => !m.rule.exemptUserIds.includes(authorId));
    return matches.length ? this.decide(authorId, null, matches, ['questions']) : null;
  }

  /**
   * Which live action is carried out: the strongest that can apply here. `hide` only means
   * something for a request (the recipient's hidden folder); `hold` on a room question
   * flags it (a question is already seen only by the room's moderators and its author
   * until pinned, and the held-messages queue is for messages); `hold` on an edit blocks it
   * (screenMessage).
   */
  private async decide(
    userId: string,
    conversationId: string | null,
    matches: RuleMatch[],
    scopes: RuleScope[],
    edit = false,
  ): Promise<Screening | null> {
    const effective = (action: RuleAction): RuleAction | null => {
      if (action === 'hide' && !scopes.includes('requests')) return null;
      if (action === 'hold' && scopes.includes('questions')) return 'flag';
      if (action === 'hold' && edit) return 'block';
      return action;
    };
    const applicable = matches
      .map((m) => ({ ...m, scope: m.rule.appliesTo.find((s) => scopes.includes(s)) }))
      .filter((m): m is RuleMatch & { scope: RuleScope } => m.scope !== undefined);
    if (applicable.length === 0) return null;
    let action: RuleAction | null = null;
    let chosen: (typeof applicable)[number] | null = null;
    for (const m of applicable) {
      const a = m.rule.mode === 'live' ? effective(m.rule.action) : null;
      if (a && (!action || ACTION_STRENGTH[a] > ACTION_STRENGTH[action])) {
        action = a;
        chosen = m;
      }
    }
    const screening: Screening = {
      userId,
      conversationId,
      action,
      held: action === 'hold',
      hits: applicable.map((m) => ({ rule: m.rule, pattern: m.pattern, scope: m.scope, applied: m === chosen })),
    };
    if (action === 'block') {
      await this.recordHits(this.db, screening, {});
      throw new BlockedByRule(chosen!.rule.reason || DEFAULT_REASON);
    }
    return screening;
  }

  /** After the message or question was stored: records the hits; `flag` opens a system report. */
  async settle(s: Screening, stored: { messageId?: string; questionId?: string }): Promise<void> {
    if (s.action !== 'flag') {
      await this.recordHits(this.db, s, stored);
      return;
    }
    const rule = s.hits.find((h) => h.applied)!.rule;
    const outboxId = await this.db.tx(async (q) => {
      await this.recordHits(q, s, stored);
      const report = await this.flagReports.fileFlagReport(q, {
        subjectType: stored.messageId ? 'message' : 'question',
        subjectId: (stored.messageId ?? stored.questionId)!,
        subjectUserId: s.userId,
        ruleName: rule.name,
        ruleReason: rule.reason,
        // The matcher keeps the stored rows (ModerationRuleRow), which carry the rule's policy.
        rulePolicy: (rule as Partial<rules.ModerationRuleRow>).policy ?? null,
      });
      return report.outboxId;
    });
    this.events.published(outboxId);
  }

  private async recordHits(q: Queryable, s: Screening, stored: { messageId?: string; questionId?: string }): Promise<void> {
    if (s.hits.length === 0) return;
    await rules.insertHits(
      q,
      { userId: s.userId, conversationId: s.conversationId, messageId: stored.messageId ?? null, questionId: stored.questionId ?? null },
      s.hits,
    );
  }

  // ---- staff: rules ----------------------------------------------------------------------

  async list(query: ListQuery): Promise<ListPage<RuleView>> {
    const page = await rules.listRules(this.db, query);
    return { ...page, rows: page.rows.map(toRuleView) };
  }

  async one(id: string, q: Queryable = this.db): Promise<RuleView> {
    if (!isUuid(id)) throw new NotFound('No such rule.');
    const row = await rules.ruleById(q, id);
    if (!row) throw new NotFound('No such rule.');
    return toRuleView(row);
  }

  async create(staff: RuleStaff, body: Record<string, unknown>): Promise<RuleView> {
    const id = newId();
    const view = await this.db.tx(async (q) => {
      const input = validateRule(await this.withExemptHandles(q, body), null);
      const policy = await this.policies.choose(q, {
        policy: body.policy as string | undefined,
        severity: body.severity as string | undefined,
      });
      await this.checkRulesProgram(q, id, input);
      await rules.insertRule(q, id, input, staff.id);
      await rules.setRulePolicy(q, id, policy.policy, policy.severity);
      const created = await this.one(id, q);
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'rule.create',
        subjectType: 'rule',
        subjectId: id,
        after: auditable(created),
      });
      return created;
    });
    await this.changed();
    return view;
  }

  async update(staff: RuleStaff, id: string, body: Record<string, unknown>): Promise<RuleView> {
    if (!isUuid(id)) throw new NotFound('No such rule.');
    const view = await this.db.tx(async (q) => {
      if (!(await rules.lockRule(q, id))) throw new NotFound('No such rule.');
      const before = await this.one(id, q);
      const input = validateRule(await this.withExemptHandles(q, body), before);
      // A new policy without a severity takes its first; a new severity alone stays under the rule's policy.
      const policy = await this.policies.choose(q, {
        policy: given(body.policy) ?? before.policy,
        severity: given(body.severity) ?? (given(body.policy) === undefined ? before.severity : undefined),
      });
      await this.checkRulesProgram(q, id, input, before);
      await rules.updateRule(q, id, input);
      await rules.setRulePolicy(q, id, policy.policy, policy.severity);
      const after = await this.one(id, q);
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'rule.update',
        subjectType: 'rule',
        subjectId: id,
        before: auditable(before),
        after: auditable(after),
      });
      return after;
    });
    await this.changed();
    return view;
  }

  /**
   * Staff name exempt accounts by handle (`exemptHandles`, a leading @ allowed, any case):
   * given, they set the exempt list, as `exemptUserIds` would (given too, as when a client
   * sends back the rule it read, both must name the same accounts). A handle nobody has, or
   * two fields that disagree, is 400 invalid_request naming the field (and the unknown handles).
   */
  private async withExemptHandles(q: Queryable, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (body === null || typeof body !== 'object' || Array.isArray(body) || body.exemptHandles === undefined) return body;
    const given = body.exemptHandles;
    const problem = (problems: string[], message: string, extra: Record<string, unknown> = {}) =>
      new InvalidRequest(message, [{ field: 'exemptHandles', problems, ...extra }]);
    if (!Array.isArray(given) || given.length > MAX_EXEMPT || !given.every((h) => typeof h === 'string' && HANDLE_INPUT.test(h.trim()))) {
      throw problem([`an array of at most ${MAX_EXEMPT} handles`], `exemptHandles: an array of at most ${MAX_EXEMPT} handles.`);
    }
    const handles = [...new Set(given.map((h: string) => h.trim().replace(/^@/, '').toLowerCase()))];
    const found = await idsByHandles(q, handles);
    const known = new Set(found.map((u) => u.handle));
    const unknown = handles.filter((h) => !known.has(h));
    if (unknown.length) {
      const named = unknown.map((h) => `@${h}`).join(', ');
      throw problem([`no account has the handle ${named}`], `No account has the handle ${named}.`, { unknown });
    }
    const ids = found.map((u) => u.id);
    // A client that sends the rule back as it read it sends both: they must name the same accounts.
    const other = body.exemptUserIds;
    if (other !== undefined) {
      const same =
        Array.isArray(other) &&
        other.every((x) => typeof x === 'string') &&
        new Set(other.map((x: string) => x.toLowerCase())).size === ids.length &&
        other.every((x: string) => ids.includes(x.toLowerCase()));
      if (!same) {
        throw problem(
          ['names other accounts than exemptUserIds'],
          'exemptHandles and exemptUserIds name different accounts: give only one of them.',
        );
      }
    }
    const { exemptHandles: _handles, ...rest } = body;
    return { ...rest, exemptUserIds: ids };
  }

  async remove(staff: RuleStaff, id: string): Promise<RuleView> {
    if (!isUuid(id)) throw new NotFound('No such rule.');
    const view = await this.db.tx(async (q) => {
      if (!(await rules.lockRule(q, id))) throw new NotFound('No such rule.');
      const before = await this.one(id, q);
      await rules.deleteRule(q, id);
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'rule.delete',
        subjectType: 'rule',
        subjectId: id,
        before: auditable(before),
      });
      return before;
    });
    await this.changed();
    return view;
  }

  /**
   * MAX_RULES_PROGRAM: the regexes of every stored rule (enabled or not), with this rule's
   * new patterns instead of its old ones, may not compile to more instructions than that.
   * A change that does not add cost always passes (so rows written before the bound can still
   * be shrunk or disabled). Refused with 400 invalid_request naming the pattern that crosses
   * the bound. Serialised by a transaction lock, so two writes cannot both pass.
   */
  private async checkRulesProgram(q: Queryable, id: string, input: RuleInput, before?: CompilableRule): Promise<void> {
    if (input.kind !== 'regex') return;
    await rules.lockRuleWrites(q);
    const others = await rules.regexPatternsExcept(q, id);
    const base = others.reduce((n, patterns) => n + rulePrograms('regex', patterns).reduce((a, b) => a + b, 0), 0);
    const mine = rulePrograms('regex', input.patterns);
    const total = base + mine.reduce((a, b) => a + b, 0);
    const previous = base + (before ? rulePrograms(before.kind, before.patterns).reduce((a, b) => a + b, 0) : 0);
    if (total <= MAX_RULES_PROGRAM || total <= previous) return;
    let running = base;
    const at = mine.findIndex((size) => (running += size) > MAX_RULES_PROGRAM);
    const i = at < 0 ? mine.length - 1 : at;
    const problem = `\`${input.patterns[i]}\` (${mine[i]} instructions) would bring the stored regex rules to ${total} instructions, more than the ${MAX_RULES_PROGRAM} they may cost together (the other regex rules use ${base}): simplify or remove patterns`;
    throw new InvalidRequest(`patterns[${i}]: ${problem}`, [{ field: `patterns[${i}]`, problems: [problem] }]);
  }

  /**
   * The console's "test before saving": which stored rules (enabled or not) match `text`,
   * and whether a draft rule (`kind` + `patterns`, not saved) would. Scopes and exemptions
   * are not considered: this is about the words. The stored rules are compiled once per
   * rules version (as a send's are), not per call.
   */
  async test(body: Record<string, unknown>): Promise<{
    matches: Array<{ ruleId: string; name: string; enabled: boolean; mode: string; action: string; kind: string; pattern: string }>;
    draft: { matched: boolean; pattern: string | null } | null;
  }> {
    const text = body?.text;
    if (typeof text !== 'string' || text.length === 0 || text.length > 4000) {
      throw new InvalidRequest('text must be 1-4000 characters.', [{ field: 'text', problems: ['1-4000 characters'] }]);
    }
    const hosts = extractLinks(text).map(hostOf);
    if (!this.compiled) await this.book();
    const rows = this.stored;
    this.testMatcher ??= new RuleMatcher(rows.map((r) => ({ ...r, enabled: true })));
    const enabled = new Map(rows.map((r) => [r.id, r.enabled]));
    const matches = this.testMatcher.match(text, hosts).map((m) => ({
      ruleId: m.rule.id,
      name: m.rule.name,
      enabled: enabled.get(m.rule.id) ?? true,
      mode: m.rule.mode,
      action: m.rule.action,
      kind: m.rule.kind,
      pattern: m.pattern,
    }));
    let draft: { matched: boolean; pattern: string | null } | null = null;
    if (body.kind !== undefined || body.patterns !== undefined) {
      const d = validateRule({ name: 'draft', kind: body.kind, patterns: body.patterns, appliesTo: ['direct'], action: 'flag' }, null);
      const [hit] = new RuleMatcher([{ ...d, id: 'draft' }]).match(text, hosts);
      draft = { matched: !!hit, pattern: hit?.pattern ?? null };
    }
    return { matches, draft };
  }

  // ---- staff: hits -----------------------------------------------------------------------

  async hits(query: ListQuery): Promise<ListPage<RuleHitView>> {
    const page = await rules.listHits(this.db, query);
    return { ...page, rows: page.rows.map(toHitView) };
  }

  async hit(id: string): Promise<RuleHitView> {
    if (!isUuid(id)) throw new NotFound('No such rule hit.');
    const row = await rules.hitById(this.db, id);
    if (!row) throw new NotFound('No such rule hit.');
    return toHitView(row);
  }
}

/** The audit entry's copy of a rule: its definition, not its moving hit counts. */
/** A policy or severity field as sent: left out, null or empty (a cleared form field) is not given. */
const given = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : (v as string));

const auditable = (r: RuleView) => {
  const { hits: _hits, ...rest } = r;
  return rest;
};

/**
 * A create (`current` null: name, kind, patterns, appliesTo and action required) or an update
 * (any subset; a react-admin edit sends the whole record, read-only fields are ignored).
 * Every problem is reported at once as 400 invalid_request with per-field details; a regex
 * the linear-time engine cannot run is one of them.
 */
export function validateRule(body: Record<string, unknown>, current: CompilableRule | null): RuleInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequest('The body must be a JSON object.');
  const problems: { field: string; problems: string[] }[] = [];
  const pick = <T>(field: string, fallback: T | undefined, check: (v: unknown) => string | null): T => {
    const v = body[field];
    if (v === undefined && current) return fallback as T;
    if (v === undefined && fallback !== undefined) return fallback;
    const problem = v === undefined ? 'required' : check(v);
    if (problem) problems.push({ field, problems: [problem] });
    return v as T;
  };
  const text = (max: number) => (v: unknown) =>
    typeof v === 'string' && v.trim().length > 0 && v.length <= max && !/[\u0000-\u001f\u007f]/.test(v)
      ? null
      : `a string of 1-${max} characters`;
  const oneOf = (values: readonly string[]) => (v: unknown) => (typeof v === 'string' && values.includes(v) ? null : values.join(' | '));
  const name = pick<string>('name', current?.name, text(100));
  const enabled = pick<boolean>('enabled', current?.enabled ?? true, (v) => (typeof v === 'boolean' ? null : 'boolean'));
  const mode = pick<CompilableRule['mode']>('mode', current?.mode ?? 'live', oneOf(RULE_MODES));
  const kind = pick<CompilableRule['kind']>('kind', current?.kind, oneOf(RULE_KINDS));
  const action = pick<RuleAction>('action', current?.action, oneOf(RULE_ACTIONS));
  const reason = pick<string>('reason', current?.reason ?? DEFAULT_REASON, text(500));
  const appliesTo = pick<RuleScope[]>('appliesTo', current?.appliesTo, (v) =>
    Array.isArray(v) && v.length > 0 && v.every((s) => (RULE_SCOPES as readonly string[]).includes(s))
      ? null
      : `a non-empty array of ${RULE_SCOPES.join(' | ')}`,
  );
  const exemptUserIds = pick<string[]>('exemptUserIds', current?.exemptUserIds ?? [], (v) =>
    Array.isArray(v) && v.length <= 1000 && v.every((id) => typeof id === 'string' && isUuid(id)) ? null : 'an array of user ids',
  );
  const patterns = pick<string[]>('patterns', current?.patterns, (v) =>
    Array.isArray(v) && v.length > 0 && v.length <= MAX_PATTERNS ? null : `an array of 1-${MAX_PATTERNS} patterns`,
  );
  if (Array.isArray(patterns) && (RULE_KINDS as readonly string[]).includes(kind)) {
    for (const bad of patternsProblems(kind, patterns)) problems.push({ field: `patterns[${bad.index}]`, problems: bad.problems });
  }
  if (problems.length) {
    throw new InvalidRequest(problems.map((p) => `${p.field}: ${p.problems.join(', ')}`).join('; '), problems);
  }
  return {
    name: name.trim(),
    enabled,
    mode,
    kind,
    action,
    reason: reason.trim(),
    appliesTo: [...new Set(appliesTo)],
    exemptUserIds: [...new Set(exemptUserIds.map((x) => x.toLowerCase()))],
    patterns: [...new Set(patterns.map((p) => p.trim()))],
  };
}
