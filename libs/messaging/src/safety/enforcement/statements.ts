import { TemplateVariableMissing, TemplateVariableUnknown } from '../../errors';

/**
 * Statements of reasons (DSA Art. 17; API.md "Notices" v1.1): every action taken against a
 * user tells them what was done, the facts, the ground (which rule), whether it was
 * automated, when it ends, and whether and until when they can appeal.
 */
export interface Statement {
  action: string;
  facts: string;
  ground: string;
  automated: boolean;
  endsAt: string | null;
  appeal: { possible: boolean; until: string | null };
}

/** The rule each report reason points to (shown to the person as the ground). */
const GROUNDS: Readonly<Record<string, string>> = {
  spam: 'Community Guidelines: spam and platform manipulation',
  harassment: 'Community Guidelines: harassment and bullying',
  hate: 'Community Guidelines: hateful conduct',
  violence: 'Community Guidelines: violence and threats',
  self_harm: 'Community Guidelines: suicide and self-harm',
  scam: 'Community Guidelines: scams and fraud',
  malicious_link: 'Community Guidelines: malicious links (malware and phishing)',
};
const GENERAL_GROUND = 'Community Guidelines';

export const groundFor = (reason: string | null | undefined): string => GROUNDS[reason ?? ''] ?? GENERAL_GROUND;

const REASON_WORDS: Readonly<Record<string, string>> = {
  spam: 'spam',
  harassment: 'harassment',
  hate: 'hateful conduct',
  violence: 'violent content',
  self_harm: 'content about self-harm',
  scam: 'scams or fraud',
  malicious_link: 'a malicious link',
};
/** The reason in words, as notices say it. */
export const reasonWords = (reason: string | null | undefined): string => REASON_WORDS[reason ?? ''] ?? 'breaking our rules';

/** What a decision under this policy found, in words (the default policies' own words; else the policy's title). */
export const policyWords = (p: { key: string; title: string }): string =>
  REASON_WORDS[p.key] ??
  (p.key === 'other' ? 'breaking our rules' : `a breach of our policy on ${p.title.charAt(0).toLowerCase()}${p.title.slice(1)}`);

const SUBJECT_WORDS: Readonly<Record<string, string>> = {
  message: 'a message you sent',
  question: 'a question you asked in a room',
  conversation: 'a conversation you took part in',
  user: 'your account',
};

/** The facts of a staff decision, in plain words, without naming any reporter. */
export function staffFacts(input: {
  action: string;
  policy: { key: string; title: string };
  subjectType?: string | null;
  reports?: number;
}): string {
  const what = SUBJECT_WORDS[input.subjectType ?? 'user'] ?? 'your account';
  const n = input.reports ?? 0;
  const found = policyWords(input.policy);
  if (n > 0) return `A moderator reviewed ${n === 1 ? 'a report' : `${n} reports`} about ${what} and found ${found}.`;
  return `A moderator reviewed your account and found ${found}.`;
}

/** How a statement of reasons names the policy a decision was taken under: its ground. */
export const policyGround = (p: { title: string; description: string }): string =>
  `Community Guidelines: ${p.title}${p.description.trim() ? `. ${p.description.trim().replace(/\.$/, '')}.` : ''}`;

/**
 * The statement for an action taken now, with its end and its appeal deadline. Its ground
 * names the policy the decision was taken under (an action); a lift or an expiry, which is
 * no decision under a policy, names the ground of the original reason.
 */
export function statementFor(input: {
  action: string;
  reason: string | null;
  policy?: { title: string; description: string };
  facts: string;
  automated: boolean;
  endsAt: string | null;
  appealUntil: string | null;
}): Statement {
  return {
    action: input.action,
    facts: input.facts,
    ground: input.policy ? policyGround(input.policy) : groundFor(input.reason),
    automated: input.automated,
    endsAt: input.endsAt,
    appeal: { possible: input.appealUntil !== null, until: input.appealUntil },
  };
}

// ---------------------------------------------------------------- templates

/** Variables a notice template may use; a decision fills those it has (endsAt only for timed actions; policy: the policy's title). */
export const TEMPLATE_VARIABLES = ['handle', 'displayName', 'action', 'endsAt', 'reason', 'ground', 'appealUntil', 'policy'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The variables a template body uses, each once, in order of first use. */
export function templateVariables(body: string): string[] {
  return [...new Set([...body.matchAll(VARIABLE)].map((m) => m[1]))];
}

/** A body may only use known variables (checked when an admin saves it). */
export function assertKnownVariables(body: string): void {
  const unknown = templateVariables(body).filter((v) => !(TEMPLATE_VARIABLES as readonly string[]).includes(v));
  if (unknown.length) {
    throw new TemplateVariableUnknown(`Unknown template variable(s): ${unknown.join(', ')}. Known: ${TEMPLATE_VARIABLES.join(', ')}.`, {
      unknown,
    });
  }
}

/**
 * Fills a template. Any variable the decision leaves empty (e.g. {{endsAt}} for a warning)
 * refuses the whole text: a notice never goes out with a hole in it.
 */
export function renderTemplate(body: string, values: Partial<Record<TemplateVariable, string | null>>): string {
  const missing = templateVariables(body).filter((v) => {
    const value = (values as Record<string, string | null | undefined>)[v];
    return value === undefined || value === null || value === '';
  });
  if (missing.length) {
    throw new TemplateVariableMissing(`This decision leaves template variable(s) unfilled: ${missing.join(', ')}.`, { missing });
  }
  return body.replace(VARIABLE, (_, name: string) => String((values as Record<string, string>)[name]));
}
