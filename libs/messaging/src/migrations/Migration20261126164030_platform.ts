import { Migration } from '@mikro-orm/migrations';

/**
 * Platform API (issue #21): a user or a room can be tied to the host app's own id. Unique
 * where set (an upsert by externalId is one INSERT ... ON CONFLICT); null for native
 * accounts and rooms. Users provisioned by the host have no password (they cannot sign in
 * with one), so password_hash becomes nullable.
 */
export class Migration20261126164030_platform extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table app_user add column external_id text unique;
alter table app_user alter column password_hash drop not null;
alter table room add column external_id text unique;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
alter table room drop column if exists external_id;
alter table app_user drop column if exists external_id;
`);
  }
}
