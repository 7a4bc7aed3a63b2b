import { Migration } from '@mikro-orm/migrations';

/**
 * The staff-only copy of an unsent or removed message's text and links, so a report can
 * still freeze them as evidence. No end-user query reads this table; the maintenance job
 * deletes copies older than UNSENT_RETENTION_DAYS.
 */
export class Migration20261126110000_message_retained extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table message_retained (
  message_id uuid primary key references message(id) on delete cascade,
  text text,
  links jsonb not null default '[]',
  reason text not null,
  retained_at timestamptz not null default now()
);
create index message_retained_at_idx on message_retained(retained_at);
`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists message_retained;');
  }
}
