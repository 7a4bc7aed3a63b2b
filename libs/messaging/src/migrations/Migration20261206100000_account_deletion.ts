import { Migration } from '@mikro-orm/migrations';

/**
 * Account deletion and legal holds (issue #31, API.md v1.2 "Your data"):
 * - `app_user.handle` may be null (a deleted account has none); `deleted_at` marks the
 *   deletion; `erased_external_id` is a SHA-256 of a deleted host account's externalId, so a
 *   repeated `DELETE /platform/v1/users/:externalId` still finds it while the id itself is free
 *   for a new account.
 * - `handle_hold`: a deleted account's handle, as a SHA-256, refused to registration until
 *   `until` (30 days), without keeping the handle itself.
 * - `legal_hold`: staff keep a (deleted) account's evidence past its retention.
 * - `report.evidence_redacted`: the deleted accounts already erased from this report's
 *   frozen evidence (the retention sweep does each once).
 */
export class Migration20261206100000_account_deletion extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table app_user alter column handle drop not null;`);
    this.addSql(`alter table app_user add column deleted_at timestamptz, add column erased_external_id text;`);
    this.addSql(`create index app_user_deleted_idx on app_user(deleted_at) where deleted_at is not null;`);
    this.addSql(`create index app_user_erased_external_idx on app_user(erased_external_id) where erased_external_id is not null;`);
    this.addSql(`create table handle_hold (handle_hash text primary key, until timestamptz not null);`);
    this.addSql(`create index handle_hold_until_idx on handle_hold(until);`);
    this.addSql(`create table legal_hold (
  user_id uuid primary key references app_user(id),
  note text not null,
  staff_id uuid references staff(id),
  created_at timestamptz not null default now()
);`);
    this.addSql(`alter table report add column evidence_redacted uuid[] not null default '{}';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table report drop column if exists evidence_redacted;`);
    this.addSql(`drop table if exists legal_hold;`);
    this.addSql(`drop table if exists handle_hold;`);
    this.addSql(`drop index if exists app_user_erased_external_idx;`);
    this.addSql(`drop index if exists app_user_deleted_idx;`);
    this.addSql(`alter table app_user drop column if exists erased_external_id, drop column if exists deleted_at;`);
  }
}
