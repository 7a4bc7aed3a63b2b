import { Migration } from '@mikro-orm/migrations';

/**
 * Trust and safety: who escalated a report and why (the queue shows it to the senior who
 * picks it up), and the indexes the expiry sweep, the appeal list and the reporter
 * accuracy lookups need.
 */
export class Migration20261125170000_safety extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table report add column escalated_at timestamptz;
alter table report add column escalated_by uuid references staff(id);
alter table report add column escalation_note text;
create index report_reporter_idx on report(reporter_id, status) where reporter_id is not null;
create index report_open_due_idx on report(due_at) where status <> 'resolved' and first_response_at is null;
create index moderation_action_report_idx on moderation_action(report_id) where report_id is not null;
create index appeal_user_idx on appeal(user_id, created_at desc);
create index app_user_suspended_until_idx on app_user(suspended_until) where status = 'suspended';
create index app_user_restricted_until_idx on app_user(restricted_until) where restricted_until is not null;
create index blocklist_entry_created_idx on blocklist_entry(created_at desc);
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop index if exists blocklist_entry_created_idx;
drop index if exists app_user_restricted_until_idx;
drop index if exists app_user_suspended_until_idx;
drop index if exists appeal_user_idx;
drop index if exists moderation_action_report_idx;
drop index if exists report_open_due_idx;
drop index if exists report_reporter_idx;
alter table report drop column escalation_note;
alter table report drop column escalated_by;
alter table report drop column escalated_at;
`);
  }
}
