import { Migration } from '@mikro-orm/migrations';

/**
 * Policies, severities and strikes that expire (issue #29, API.md v1.2 "Policies, strikes and
 * statements the EU database accepts"):
 * - `policy`: a rule of the service that decisions name (key, title, description, its EU DSA
 *   Transparency Database `STATEMENT_CATEGORY_*`, and severity levels
 *   `[{key, strikes, expiryDays, suggestedAction}]`, mildest first). A default set is seeded
 *   with `on conflict (key) do nothing`, so an admin's edits are never overwritten.
 * - `moderation_action.policy` / `severity` (keys) and `category` (the policy's category when
 *   the decision was taken, so a statement exports the same later), and its strikes:
 *   `strikes` (the severity's count) expiring together at `strikes_expire_at`. A strike is in
 *   force while its action is not lifted and it has not expired (strikes.sql.ts).
 * - `moderation_rule.policy` / `severity`: what a rule's decisions name (default `other`).
 * Existing actions keep the standing they gave: each unautomated one was one strike for 90
 * days; they are filed under the policy of their reason (else `other`) at its first severity.
 */
const sev = (key: string, strikes: number, expiryDays: number, suggestedAction: string) => ({ key, strikes, expiryDays, suggestedAction });
const low = sev('low', 1, 90, 'warn');
const medium = sev('medium', 2, 90, 'restrict_messaging');
const high = sev('high', 3, 180, 'suspend');
const severe = sev('severe', 4, 365, 'ban');

export const DEFAULT_POLICIES = [
  {
    key: 'spam',
    title: 'Spam and platform manipulation',
    description: 'Unsolicited bulk or repetitive messages, fake engagement, and other attempts to manipulate conversations.',
    category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
    severities: [low, medium, high],
  },
  {
    key: 'harassment',
    title: 'Harassment and bullying',
    description: 'Targeting a person with abuse, intimidation, unwanted sexual content or repeated unwanted contact.',
    category: 'STATEMENT_CATEGORY_CYBER_VIOLENCE',
    severities: [low, medium, high, severe],
  },
  {
    key: 'hate',
    title: 'Hateful conduct',
    description: 'Attacking or dehumanising people for who they are: race, ethnicity, religion, gender, sexual orientation, disability and the like.',
    category: 'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH',
    severities: [low, sev('medium', 2, 180, 'suspend'), severe],
  },
  {
    key: 'violence',
    title: 'Violence and threats',
    description: 'Threatening, inciting or glorifying violence against people.',
    category: 'STATEMENT_CATEGORY_VIOLENCE',
    severities: [low, sev('medium', 2, 180, 'suspend'), severe],
  },
  {
    key: 'self_harm',
    title: 'Suicide and self-harm',
    description: 'Promoting or encouraging suicide, self-injury or eating disorders.',
    category: 'STATEMENT_CATEGORY_SELF_HARM',
    severities: [sev('low', 1, 30, 'warn'), medium],
  },
  {
    key: 'scam',
    title: 'Scams and fraud',
    description: 'Deceiving people for money or data: phishing, malicious links, impersonation for gain and fraudulent offers.',
    category: 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD',
    severities: [low, sev('medium', 2, 180, 'suspend'), severe],
  },
  {
    key: 'other',
    title: 'Other breaches of the Community Guidelines',
    description: 'Conduct that breaks the Community Guidelines in a way no more specific policy covers.',
    category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
    severities: [low, medium, high],
  },
  {
    key: 'unfounded_reports',
    title: 'Misuse of reporting',
    description: 'Frequently filing reports that are manifestly unfounded (DSA Article 23).',
    category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
    severities: [sev('low', 1, 180, 'warn'), sev('high', 2, 180, 'warn')],
  },
];

/** A SQL string literal (the seed's own constants; no outside input). */
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

export class Migration20261206200000_policies extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table policy (
  id uuid primary key,
  key text not null unique check (key ~ '^[a-z0-9_]{2,40}$'),
  title text not null,
  description text not null default '',
  category text not null,
  severities jsonb not null check (jsonb_typeof(severities) = 'array' and jsonb_array_length(severities) > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  updated_by uuid references staff(id) on delete set null
);`);
    for (const p of DEFAULT_POLICIES) {
      const values = [p.key, p.title, p.description, p.category, JSON.stringify(p.severities)].map(literal).join(', ');
      this.addSql(
        `insert into policy (id, key, title, description, category, severities) values (gen_random_uuid(), ${values}) on conflict (key) do nothing;`,
      );
    }
    this.addSql(`alter table moderation_action
  add column policy text, add column severity text, add column category text,
  add column strikes int not null default 0 check (strikes >= 0), add column strikes_expire_at timestamptz;`);
    this.addSql(`update moderation_action a set
  policy = p.key, severity = p.severities->0->>'key', category = p.category,
  strikes = case when a.automated then 0 else 1 end,
  strikes_expire_at = case when a.automated then null else a.created_at + interval '90 days' end
  from policy p
 where p.key = case when a.reason in (select key from policy) then a.reason
                    when a.reason = 'malicious_link' then 'scam' else 'other' end;`);
    this.addSql(
      `create index moderation_action_strikes_idx on moderation_action(user_id, strikes_expire_at) where strikes > 0 and lifted_at is null;`,
    );
    this.addSql(`alter table moderation_rule add column policy text, add column severity text;`);
    this.addSql(`update moderation_rule set policy = 'other', severity = (select severities->0->>'key' from policy where key = 'other');`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table moderation_rule drop column policy, drop column severity;`);
    this.addSql(`drop index if exists moderation_action_strikes_idx;`);
    this.addSql(`alter table moderation_action
  drop column policy, drop column severity, drop column category, drop column strikes, drop column strikes_expire_at;`);
    this.addSql(`drop table policy;`);
  }
}
