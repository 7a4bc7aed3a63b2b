import { Migration } from '@mikro-orm/migrations';

/**
 * The send path (issue #13):
 * - a link whose verdict is cached and fresh is settled inside the send; its sighting is
 *   written as a link_occurrence with `counted = false` (the send never touches the hot
 *   `link` row), and the pending-link sweep folds those into link.seen_count/last_seen_at.
 */
export class Migration20261126150000_send_path extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table link_occurrence add column counted boolean not null default true;`);
    this.addSql(`create index link_occurrence_uncounted_idx on link_occurrence(id) where not counted;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists link_occurrence_uncounted_idx;`);
    this.addSql(`alter table link_occurrence drop column if exists counted;`);
  }
}
