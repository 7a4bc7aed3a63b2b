import { Migration } from '@mikro-orm/migrations';

/**
 * Cases, statements of reasons, templates, mod mail and reporter standing (issue #15).
 * - moderation_case: the queue by subject user; the partial unique index keeps exactly one
 *   open case per user, also when two reports about them are filed at the same moment
 *   (the filing path upserts against it).
 * - report.case_id: every report about a user belongs to a case (open reports already filed
 *   are gathered into cases here).
 * - moderation_action.automated / appeal_until: automated actions (malicious links, rules)
 *   are recorded like staff actions so they can be appealed and counted; the appeal window
 *   is fixed when the action is taken (the statement of reasons promises it).
 * - notice.statement: the statement of reasons (API.md v1.1).
 * - notice_template: notice texts with {{variables}}; case_message: staff → user mod mail
 *   with at most one reply per staff message.
 * - app_user.trusted_flagger / reports_muted: reporter standing set by staff.
 */
export class Migration20261126164015_cases extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table moderation_case (
  id uuid primary key,
  subject_user_id uuid not null references app_user(id),
  status text not null default 'open' check (status in ('open','resolved')),
  assignee_id uuid references staff(id),
  claimed_at timestamptz,
  resolved_at timestamptz,
  resolved_by uuid references staff(id),
  resolution jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index moderation_case_one_open on moderation_case (subject_user_id) where status = 'open';
create index moderation_case_status_idx on moderation_case (status, created_at);

alter table report add column case_id uuid references moderation_case(id);
create index report_case_idx on report (case_id);

insert into moderation_case (id, subject_user_id, created_at, updated_at)
  select gen_random_uuid(), subject_user_id, min(created_at), max(created_at)
    from report where status <> 'resolved' and subject_user_id is not null group by subject_user_id;
update report r set case_id = c.id from moderation_case c
  where c.subject_user_id = r.subject_user_id and c.status = 'open' and r.status <> 'resolved';

alter table moderation_action add column automated boolean not null default false;
alter table moderation_action add column appeal_until timestamptz;
update moderation_action set appeal_until = created_at + interval '180 days' where appeal_until is null;

alter table notice add column statement jsonb;

create table notice_template (
  id uuid primary key,
  name text not null,
  body text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  updated_by uuid references staff(id)
);

create table case_message (
  id uuid primary key,
  case_id uuid not null references moderation_case(id),
  staff_id uuid not null references staff(id),
  recipient_id uuid not null references app_user(id),
  recipient_role text not null check (recipient_role in ('subject','reporter')),
  text text not null,
  notice_id uuid not null unique references notice(id),
  reply_text text,
  replied_at timestamptz,
  created_at timestamptz not null default now()
);
create index case_message_case_idx on case_message (case_id, created_at);

alter table app_user add column trusted_flagger boolean not null default false;
alter table app_user add column reports_muted boolean not null default false;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
alter table app_user drop column if exists trusted_flagger; alter table app_user drop column if exists reports_muted;
drop table if exists case_message; drop table if exists notice_template;
alter table notice drop column if exists statement;
alter table moderation_action drop column if exists automated; alter table moderation_action drop column if exists appeal_until;
alter table report drop column if exists case_id;
drop table if exists moderation_case;
`);
  }
}
