import { Migration } from '@mikro-orm/migrations';

/**
 * The EU DSA Transparency Database submitter's record (issue #29): one row per statement it
 * settled: `accepted` (the database stored it; `tdb_uuid` is its id there), `existing` (the
 * database already had that puid), `rejected` (it answered 422; `errors` as it gave them).
 * A decision with no row here is still to be sent; a rejected one is not sent again.
 */
export class Migration20261206300100_tdb_submissions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table tdb_submission (
  action_id uuid primary key references moderation_action(id),
  puid text not null unique,
  status text not null check (status in ('accepted', 'existing', 'rejected')),
  tdb_uuid text,
  errors jsonb,
  settled_at timestamptz not null default now()
);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists tdb_submission;`);
  }
}
