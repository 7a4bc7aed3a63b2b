import { Migration } from '@mikro-orm/migrations';

/**
 * Notice templates word the statement of reasons too (issue #32 item 10):
 * - `notice_template.facts`: the statement's facts, with the same {{variables}} as the body;
 *   null keeps the standard wording.
 * - `notice_template.built_in`: shipped with the install; admins may edit or delete them.
 * - Three built-in templates (spam, harassment, scam) so the resolve dialog's picker is never
 *   empty on a fresh install. Their texts use only variables every decision fills (no
 *   {{endsAt}}, which a warning leaves empty).
 */
const BUILT_IN = [
  {
    id: '0193c0de-0001-7000-8000-000000000001',
    name: 'Spam',
    body: 'Hi {{handle}}, we reviewed messages you sent and found {{reason}}: the same or similar messages sent to people who did not ask for them. The decision: {{action}}. You can appeal until {{appealUntil}}.',
    facts:
      'A moderator reviewed reports about messages you sent and found {{reason}}: the same or similar unsolicited messages sent to many people.',
  },
  {
    id: '0193c0de-0002-7000-8000-000000000002',
    name: 'Harassment',
    body: 'Hi {{handle}}, we reviewed messages you sent and found {{reason}}: repeated unwanted contact or abuse aimed at another person. The decision: {{action}}. You can appeal until {{appealUntil}}.',
    facts:
      'A moderator reviewed reports about messages you sent and found {{reason}}: repeated unwanted contact, insults or threats aimed at another person.',
  },
  {
    id: '0193c0de-0003-7000-8000-000000000003',
    name: 'Scam',
    body: 'Hi {{handle}}, we reviewed messages you sent and found {{reason}}: an attempt to get money, passwords or personal details by deceit. The decision: {{action}}. You can appeal until {{appealUntil}}.',
    facts:
      'A moderator reviewed reports about messages you sent and found {{reason}}: messages that tried to get money, passwords or personal details by deceit.',
  },
];

export class Migration20261207300000_statement_templates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table notice_template add column facts text;`);
    this.addSql(`alter table notice_template add column built_in boolean not null default false;`);
    for (const t of BUILT_IN) {
      this.addSql(
        `insert into notice_template (id, name, body, facts, built_in) values (${[t.id, t.name, t.body, t.facts].map(lit).join(', ')}, true) on conflict (id) do nothing;`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql(`delete from notice_template where built_in;`);
    this.addSql(`alter table notice_template drop column if exists built_in;`);
    this.addSql(`alter table notice_template drop column if exists facts;`);
  }
}

/** A SQL string literal (the texts above are ours; quotes are doubled all the same). */
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
