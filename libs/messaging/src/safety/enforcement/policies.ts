import { InvalidRequest } from '../../errors';
import { RESOLVE_ACTIONS } from '../vocabulary';
import { STATEMENT_CATEGORIES, isStatementCategory } from './dsa-vocabulary';
import type { PolicyFields, PolicyRow, Severity } from './policies.repository';

/**
 * What a policy is (API.md v1.2 "Policies, strikes and statements"), as pure rules: the shape
 * an admin may save, and which severity a decision takes. PoliciesService reads and writes
 * the rows; every path that acts on a person asks it (PoliciesService.choose) for its choice.
 */

export const POLICY_KEY = /^[a-z0-9_]{2,40}$/;
export const SEVERITY_KEY = /^[a-z0-9_]{1,40}$/;
/** What a severity may suggest: any action but dismiss. */
export const SUGGESTABLE_ACTIONS = RESOLVE_ACTIONS.filter((a) => a !== 'dismiss');
export const MAX_SEVERITIES = 10;
export const MAX_STRIKES = 100;
export const MAX_EXPIRY_DAYS = 3650;
/** The policy a decision without a report (and without a named policy) falls under; it cannot be deleted. */
export const FALLBACK_POLICY = 'other';
/**
 * Policies other paths name by key (report reasons, malicious-link removals, reporting
 * misuse): admins may edit them but not delete them.
 */
export const REQUIRED_POLICIES: ReadonlySet<string> = new Set([
  'spam',
  'harassment',
  'hate',
  'violence',
  'self_harm',
  'scam',
  'other',
  'unfounded_reports',
]);

/** The policy and severity a decision names, as stored with its action. */
export interface PolicyChoice {
  policy: PolicyRow;
  severity: Severity;
}

type Problem = { field: string; problems: string[] };
const NO_CONTROL = /^[^\p{Cc}]*$/u;

function text(body: Record<string, unknown>, field: string, max: number, required: boolean, problems: Problem[]): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) {
    if (required) problems.push({ field, problems: ['required'] });
    return undefined;
  }
  if (typeof v !== 'string') {
    problems.push({ field, problems: ['must be a string'] });
    return undefined;
  }
  const t = v.trim();
  if (required && t.length === 0) problems.push({ field, problems: ['must not be empty'] });
  else if (t.length > max) problems.push({ field, problems: [`at most ${max} characters`] });
  else if (!NO_CONTROL.test(field === 'description' ? t.replace(/[\n\r\t]/g, ' ') : t))
    problems.push({ field, problems: ['must not contain control characters'] });
  return t;
}

function severities(v: unknown, problems: Problem[]): Severity[] | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_SEVERITIES) {
    problems.push({ field: 'severities', problems: [`a list of 1 to ${MAX_SEVERITIES} severity levels, mildest first`] });
    return undefined;
  }
  const out: Severity[] = [];
  const seen = new Set<string>();
  v.forEach((s: unknown, i) => {
    const at = `severities[${i}]`;
    if (!s || typeof s !== 'object' || Array.isArray(s)) {
      problems.push({ field: at, problems: ['an object {key, strikes, expiryDays, suggestedAction}'] });
      return;
    }
    const r = s as Record<string, unknown>;
    const bad: Problem[] = [];
    if (typeof r.key !== 'string' || !SEVERITY_KEY.test(r.key)) bad.push({ field: `${at}.key`, problems: ['matches ^[a-z0-9_]{1,40}$'] });
    else if (seen.has(r.key)) bad.push({ field: `${at}.key`, problems: ['appears twice in this policy'] });
    if (!Number.isInteger(r.strikes) || (r.strikes as number) < 0 || (r.strikes as number) > MAX_STRIKES)
      bad.push({ field: `${at}.strikes`, problems: [`a whole number from 0 to ${MAX_STRIKES}`] });
    if (!Number.isInteger(r.expiryDays) || (r.expiryDays as number) < 1 || (r.expiryDays as number) > MAX_EXPIRY_DAYS)
      bad.push({ field: `${at}.expiryDays`, problems: [`a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`] });
    if (typeof r.suggestedAction !== 'string' || !(SUGGESTABLE_ACTIONS as readonly string[]).includes(r.suggestedAction))
      bad.push({ field: `${at}.suggestedAction`, problems: [`one of ${SUGGESTABLE_ACTIONS.join(', ')}`] });
    const unknown = Object.keys(r).filter((k) => !['key', 'strikes', 'expiryDays', 'suggestedAction'].includes(k));
    if (unknown.length) bad.push({ field: at, problems: [`unknown field(s): ${unknown.join(', ')}`] });
    problems.push(...bad);
    if (bad.length === 0) {
      seen.add(r.key as string);
      out.push({
        key: r.key as string,
        strikes: r.strikes as number,
        expiryDays: r.expiryDays as number,
        suggestedAction: r.suggestedAction as string,
      });
    }
  });
  return out;
}

const invalid = (problems: Problem[]) =>
  new InvalidRequest(problems.map((p) => `${p.field}: ${p.problems.join('; ')}`).join('. '), problems);

/**
 * A policy as an admin saves it. `before` is the stored policy for an update: fields left out
 * keep their value, and the key cannot change (actions and rules name it).
 */
export function validatePolicy(body: Record<string, unknown>, before: PolicyRow | null): PolicyFields {
  const problems: Problem[] = [];
  let key = before?.key;
  if (!before || (body.key !== undefined && body.key !== before.key)) {
    if (before) problems.push({ field: 'key', problems: ['cannot change: actions and rules name the policy by its key'] });
    else if (typeof body.key !== 'string' || !POLICY_KEY.test(body.key))
      problems.push({ field: 'key', problems: ['matches ^[a-z0-9_]{2,40}$'] });
    else key = body.key;
  }
  const title = text(body, 'title', 100, !before, problems) ?? before?.title;
  const description = text(body, 'description', 2000, false, problems) ?? before?.description ?? '';
  let category = before?.category;
  if (body.category !== undefined || !before) {
    if (!isStatementCategory(body.category))
      problems.push({
        field: 'category',
        problems: [`one of the EU Transparency Database's categories: ${STATEMENT_CATEGORIES.join(', ')}`],
      });
    else category = body.category;
  }
  const levels = body.severities !== undefined || !before ? severities(body.severities, problems) : before.severities;
  if (problems.length) throw invalid(problems);
  return { key: key!, title: title!, description, category: category!, severities: levels! };
}

/**
 * The severity a decision takes under `policy`: the one named, else the policy's first
 * (mildest). A key the policy does not have is 400 invalid_request.
 */
export function pickSeverity(policy: PolicyRow, severity: string | null | undefined): Severity {
  if (severity === undefined || severity === null) return policy.severities[0];
  const found = policy.severities.find((s) => s.key === severity);
  if (!found) {
    throw new InvalidRequest(
      `Policy "${policy.key}" has no severity "${severity}"; it has ${policy.severities.map((s) => s.key).join(', ')}.`,
      [{ field: 'severity', problems: ['unknown severity for this policy'] }],
    );
  }
  return found;
}
