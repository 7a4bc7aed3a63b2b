import {
  ACCOUNT_TYPES,
  AUTOMATED_DECISIONS,
  AUTOMATED_DETECTIONS,
  CONTENT_TYPES,
  DECISION_ACCOUNTS,
  DECISION_GROUNDS,
  DECISION_MONETARIES,
  DECISION_PROVISIONS,
  DECISION_VISIBILITIES,
  EUROPEAN_COUNTRY_CODES,
  INCOMPATIBLE_CONTENT_ILLEGALS,
  KEYWORDS,
  LANGUAGE_CODES,
  SOURCE_TYPES,
  STATEMENT_CATEGORIES,
  TDB_MAX_BATCH,
} from './tdb-vocabulary';

/**
 * The EU DSA Transparency Database's validation of a statement of reasons, re-stated from its
 * source (app/Http/Requests/StatementStoreRequest.php for POST /api/v1/statement and
 * GroupedSubmissionsService::multi_rules for POST /api/v1/statements; the two rule sets are
 * the same but for source_identity, which the single endpoint also excludes for
 * SOURCE_VOLUNTARY). Laravel's semantics are kept where they decide an outcome:
 * - exclude_if / exclude_unless drop a field before any of its rules run (no error);
 * - a non-`required` rule does not run on an absent field, nor on null when `nullable`;
 * - `required` fails on null, a blank string and an empty array;
 * - `in` on an `array` field checks every element;
 * - `max` counts characters (mb_strlen) of a string, elements of an array;
 * - `date_format:Y-m-d` is strict (the date must print back as the same text).
 * Fields the database does not know are ignored by it (validated() drops them): listed in
 * `ignored`, so a caller can make sure it sends none.
 */

export type StatementFields = Record<string, unknown>;

export interface ValidationResult {
  valid: boolean;
  /** Field → messages, as the database's 422 body words its `errors`. */
  errors: Record<string, string[]>;
  ignored: string[];
}

type Check = (v: unknown, s: StatementFields) => string | null;
interface FieldRules {
  nullable?: boolean;
  /** The field is left out (no error) when this holds: exclude_if / exclude_unless. */
  exclude?: (s: StatementFields) => boolean;
  /** required / required_if / required_without_all, as a predicate on the statement. */
  required?: (s: StatementFields) => boolean;
  requiredMessage?: string;
  checks: Check[];
}

const words = (field: string) => field.replace(/_/g, ' ');

/** Laravel's validateRequired: null, a blank string and an empty array are "not there". */
function filled(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

const has = (s: StatementFields, field: string) => Object.prototype.hasOwnProperty.call(s, field);
const always = () => true;
const listHas = (s: StatementFields, field: string, needle: string) => Array.isArray(s[field]) && (s[field] as unknown[]).includes(needle);

const isArrayLike = (v: unknown) => Array.isArray(v) || (typeof v === 'object' && v !== null);

function arrayRule(field: string): Check {
  return (v) => (isArrayLike(v) ? null : `The ${words(field)} field must be an array.`);
}

function inRule(field: string, allowed: readonly string[], nullable = false): Check {
  // `in:null,...` (the database's nullable lists) also accepts the text "null".
  const ok = new Set<string>(nullable ? ['null', ...allowed] : allowed);
  const scalar = (x: unknown) => (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') && ok.has(String(x));
  return (v) => {
    const good = Array.isArray(v) ? v.every(scalar) : scalar(v);
    return good ? null : `The selected ${words(field)} is invalid.`;
  };
}

function size(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (v === null || v === undefined) return 0;
  return [...String(v)].length;
}

function maxRule(field: string, max: number): Check {
  return (v) => (size(v) <= max ? null : `The ${words(field)} field must not be greater than ${max} characters.`);
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
/** PHP's DateTime::createFromFormat('Y-m-d') printed back must equal the input. */
export function isStrictYmd(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = YMD.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

const DATE_LABELS: Record<string, string> = {
  content_date: 'The content date does not match the format YYYY-MM-DD.',
  application_date: 'The application date does not match the format YYYY-MM-DD.',
  end_date_account_restriction: 'The end date of account restriction does not match the format YYYY-MM-DD.',
  end_date_monetary_restriction: 'The end date of monetary restriction does not match the format YYYY-MM-DD.',
  end_date_service_restriction: 'The end date of service restriction does not match the format YYYY-MM-DD.',
  end_date_visibility_restriction: 'The end date of visibility restriction does not match the format YYYY-MM-DD.',
};

function dateRules(field: string, after: string | null, before: string): Check[] {
  const checks: Check[] = [(v) => (isStrictYmd(v) ? null : DATE_LABELS[field])];
  if (after)
    checks.push((v) => (!isStrictYmd(v) || v >= after ? null : `The ${words(field)} field must be a date after or equal to ${after}.`));
  checks.push((v) => (!isStrictYmd(v) || v <= before ? null : `The ${words(field)} field must be a date before or equal to ${before}.`));
  return checks;
}

function regexRule(field: string, re: RegExp, message: string): Check {
  return (v) => ((typeof v === 'string' || typeof v === 'number') && re.test(String(v)) ? null : message);
}

function urlRule(field: string): Check {
  return (v) => {
    if (typeof v !== 'string') return `The ${words(field)} field must be a valid URL.`;
    try {
      const u = new URL(v);
      return u.host ? null : `The ${words(field)} field must be a valid URL.`;
    } catch {
      return `The ${words(field)} field must be a valid URL.`;
    }
  };
}

const PUID = /^[a-zA-Z0-9_-]+$/;
const EAN13 = /^[0-9]{13}$/;
const LAST_DATE = '2038-01-01';

const others = (s: StatementFields, fields: string[]) => fields.every((f) => !filled(s[f]));
const groundIs = (g: string) => (s: StatementFields) => s.decision_ground === g;

const RULES: Record<string, FieldRules> = {
  content_id: { nullable: true, checks: [arrayRule('content_id')] },
  content_id_ean: {
    nullable: true,
    checks: [
      (v) => (typeof v === 'string' ? null : 'The content id ean field must be a string.'),
      regexRule('content_id_ean', EAN13, 'The content id ean field format is invalid.'),
    ],
  },
  decision_visibility: {
    nullable: true,
    required: (s) => others(s, ['decision_monetary', 'decision_provision', 'decision_account']),
    requiredMessage:
      'The decision visibility field is required when none of decision monetary / decision provision / decision account are present.',
    checks: [arrayRule('decision_visibility'), inRule('decision_visibility', DECISION_VISIBILITIES, true)],
  },
  decision_visibility_other: {
    exclude: (s) => !listHas(s, 'decision_visibility', 'DECISION_VISIBILITY_OTHER'),
    required: always,
    requiredMessage: 'The decision visibility other field is required when decision visibility is other.',
    checks: [maxRule('decision_visibility_other', 500)],
  },
  decision_monetary: {
    nullable: true,
    required: (s) => others(s, ['decision_visibility', 'decision_provision', 'decision_account']),
    requiredMessage:
      'The decision monetary field is required when none of decision visibility / decision provision / decision account are present.',
    checks: [inRule('decision_monetary', DECISION_MONETARIES, true)],
  },
  decision_monetary_other: {
    exclude: (s) => s.decision_monetary !== 'DECISION_MONETARY_OTHER',
    required: always,
    requiredMessage: 'The decision monetary other field is required when decision monetary is other.',
    checks: [maxRule('decision_monetary_other', 500)],
  },
  decision_provision: {
    nullable: true,
    required: (s) => others(s, ['decision_visibility', 'decision_monetary', 'decision_account']),
    requiredMessage:
      'The decision provision field is required when none of decision visibility / decision monetary / decision account are present.',
    checks: [inRule('decision_provision', DECISION_PROVISIONS, true)],
  },
  decision_account: {
    nullable: true,
    required: (s) => others(s, ['decision_visibility', 'decision_monetary', 'decision_provision']),
    requiredMessage:
      'The decision account field is required when none of decision visibility / decision monetary / decision provision are present.',
    checks: [inRule('decision_account', DECISION_ACCOUNTS, true)],
  },
  account_type: { nullable: true, checks: [inRule('account_type', ACCOUNT_TYPES, true)] },
  category_specification: {
    nullable: true,
    checks: [arrayRule('category_specification'), inRule('category_specification', KEYWORDS, true)],
  },
  category_specification_other: { checks: [maxRule('category_specification_other', 500)] },
  decision_ground: { required: always, checks: [inRule('decision_ground', DECISION_GROUNDS)] },
  decision_ground_reference_url: {
    nullable: true,
    checks: [urlRule('decision_ground_reference_url'), maxRule('decision_ground_reference_url', 500)],
  },
  illegal_content_legal_ground: {
    exclude: (s) => !groundIs('DECISION_GROUND_ILLEGAL_CONTENT')(s),
    required: always,
    requiredMessage: 'The illegal content legal ground field is required when decision ground is illegal content.',
    checks: [maxRule('illegal_content_legal_ground', 500)],
  },
  illegal_content_explanation: {
    exclude: (s) => !groundIs('DECISION_GROUND_ILLEGAL_CONTENT')(s),
    required: always,
    requiredMessage: 'The illegal content explanation field is required when decision ground is illegal content.',
    checks: [maxRule('illegal_content_explanation', 2000)],
  },
  incompatible_content_ground: {
    exclude: (s) => !groundIs('DECISION_GROUND_INCOMPATIBLE_CONTENT')(s),
    required: always,
    requiredMessage: 'The incompatible content ground field is required when decision ground is incompatible content.',
    checks: [maxRule('incompatible_content_ground', 500)],
  },
  incompatible_content_explanation: {
    exclude: (s) => !groundIs('DECISION_GROUND_INCOMPATIBLE_CONTENT')(s),
    required: always,
    requiredMessage: 'The incompatible content explanation field is required when decision ground is incompatible content.',
    checks: [maxRule('incompatible_content_explanation', 2000)],
  },
  incompatible_content_illegal: {
    exclude: (s) => !groundIs('DECISION_GROUND_INCOMPATIBLE_CONTENT')(s),
    checks: [inRule('incompatible_content_illegal', INCOMPATIBLE_CONTENT_ILLEGALS)],
  },
  content_type: { required: always, checks: [arrayRule('content_type'), inRule('content_type', CONTENT_TYPES)] },
  content_type_other: {
    exclude: (s) => !listHas(s, 'content_type', 'CONTENT_TYPE_OTHER'),
    required: always,
    requiredMessage: 'The content type other field is required when content is other.',
    checks: [maxRule('content_type_other', 500)],
  },
  category: { required: always, checks: [inRule('category', STATEMENT_CATEGORIES)] },
  category_addition: { checks: [arrayRule('category_addition'), inRule('category_addition', STATEMENT_CATEGORIES)] },
  territorial_scope: { nullable: true, checks: [arrayRule('territorial_scope'), inRule('territorial_scope', EUROPEAN_COUNTRY_CODES)] },
  content_language: { nullable: true, checks: [inRule('content_language', LANGUAGE_CODES)] },
  content_date: { required: always, checks: dateRules('content_date', '2000-01-01', LAST_DATE) },
  application_date: { required: always, checks: dateRules('application_date', '2020-01-01', LAST_DATE) },
  end_date_account_restriction: { nullable: true, checks: dateRules('end_date_account_restriction', null, LAST_DATE) },
  end_date_monetary_restriction: { nullable: true, checks: dateRules('end_date_monetary_restriction', null, LAST_DATE) },
  end_date_service_restriction: { nullable: true, checks: dateRules('end_date_service_restriction', null, LAST_DATE) },
  end_date_visibility_restriction: { nullable: true, checks: dateRules('end_date_visibility_restriction', null, LAST_DATE) },
  decision_facts: { required: always, checks: [maxRule('decision_facts', 5000)] },
  source_type: { required: always, checks: [inRule('source_type', SOURCE_TYPES)] },
  source_identity: { nullable: true, exclude: (s) => s.source_type === 'SOURCE_VOLUNTARY', checks: [maxRule('source_identity', 500)] },
  automated_detection: { required: always, checks: [inRule('automated_detection', AUTOMATED_DETECTIONS)] },
  automated_decision: { required: always, checks: [inRule('automated_decision', AUTOMATED_DECISIONS)] },
  puid: { required: always, checks: [maxRule('puid', 500), regexRule('puid', PUID, 'The puid format is invalid.')] },
};

/** Validates one statement as the database does; `valid` is what decides its 201 or 422. */
export function validateStatement(statement: unknown): ValidationResult {
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) {
    return { valid: false, errors: { statement: ['A statement must be a JSON object.'] }, ignored: [] };
  }
  const s = statement as StatementFields;
  const errors: Record<string, string[]> = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  for (const [field, rules] of Object.entries(RULES)) {
    if (rules.exclude?.(s)) continue;
    const v = s[field];
    if (rules.required?.(s) && !filled(v)) {
      add(field, rules.requiredMessage ?? `The ${words(field)} field is required.`);
      continue;
    }
    // A rule that is not `required` does not run on an absent field, a blank string, or null when nullable.
    if (!has(s, field) || v === undefined) continue;
    if (typeof v === 'string' && v.trim() === '') continue;
    if (v === null && rules.nullable) continue;
    for (const check of rules.checks) {
      const message = check(v, s);
      if (message) add(field, message);
    }
  }
  // content_id.EAN-13
  const contentId = s.content_id;
  if (contentId && typeof contentId === 'object' && !Array.isArray(contentId) && 'EAN-13' in contentId) {
    const ean = (contentId as Record<string, unknown>)['EAN-13'];
    if (typeof ean !== 'string' || !EAN13.test(ean)) add('content_id.EAN-13', 'The content id.EAN-13 field format is invalid.');
  }
  const ignored = Object.keys(s).filter((k) => !(k in RULES));
  return { valid: Object.keys(errors).length === 0, errors, ignored };
}

/**
 * POST /api/v1/statements: `statements` must be an array of 1 to 100; every statement is
 * validated and, if any fails, none is stored and the answer is 422 with the errors keyed
 * `statement_<index>`. A puid repeated inside one call is refused too (422, `existing_puids`).
 */
export function validateBatch(body: unknown): { valid: boolean; errors: Record<string, unknown>; duplicatePuids: string[] } {
  const statements = (body as { statements?: unknown } | null)?.statements;
  if (!Array.isArray(statements) || statements.length < 1 || statements.length > TDB_MAX_BATCH) {
    return {
      valid: false,
      errors: { statements: [`The statements field must have between 1 and ${TDB_MAX_BATCH} items.`] },
      duplicatePuids: [],
    };
  }
  const errors: Record<string, unknown> = {};
  statements.forEach((s, i) => {
    const r = validateStatement(s);
    if (!r.valid) errors[`statement_${i}`] = r.errors;
  });
  const seen = new Set<string>();
  const duplicatePuids: string[] = [];
  for (const s of statements) {
    const puid = (s as StatementFields)?.puid;
    if (typeof puid !== 'string') continue;
    if (seen.has(puid) && !duplicatePuids.includes(puid)) duplicatePuids.push(puid);
    seen.add(puid);
  }
  return { valid: Object.keys(errors).length === 0 && duplicatePuids.length === 0, errors, duplicatePuids };
}
