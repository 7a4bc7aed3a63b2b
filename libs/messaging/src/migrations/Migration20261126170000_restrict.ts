import { Migration } from '@mikro-orm/migrations';

/**
 * `restrict` (API.md v1.1): the restrictor's conversations started by the restricted user
 * begin as requests even if followed, and the restricted user no longer sees the
 * restrictor's read markers or typing. The primary key serves "does A restrict B?"; the
 * second index serves "who restricts B?".
 */
export class Migration20261126170000_restrict extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table restrict (
  restrictor_id uuid not null references app_user(id) on delete cascade,
  restricted_id uuid not null references app_user(id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (restrictor_id, restricted_id)
);
create index restrict_restricted_idx on restrict (restricted_id, restrictor_id);
`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists restrict;');
  }
}
