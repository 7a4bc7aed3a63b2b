import { Migration } from '@mikro-orm/migrations';

/**
 * Toward distributing by user (docs/SCALING.md, "Citus"): `notice` is per-user, so its primary
 * key gains the distribution column, (user_id, id). Nothing references notice(id) and every
 * read filters on user_id (the list: user_id = $1 AND id < $2 ORDER BY id DESC, which the new
 * key serves directly). Uniqueness of id alone is still guaranteed by its UUIDv7 generation.
 */
export class Migration20261126174500_citus_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table notice drop constraint notice_pkey, add constraint notice_pkey primary key (user_id, id);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table notice drop constraint notice_pkey, add constraint notice_pkey primary key (id);`);
  }
}
