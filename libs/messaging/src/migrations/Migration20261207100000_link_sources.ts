import { Migration } from '@mikro-orm/migrations';

/**
 * Link verdicts say which sources were consulted (issue #30 item 6, links/link-sources.ts):
 * - `link.sources` (a JSON array of strings): the sources consulted for the cached verdict (`staff`, `blocklist`,
 *   `heuristics`, `feed:<format>`, `provider:<name>`), copied into a message's links by the send
 *   with the verdict. Rows written before: a staff override was decided by staff, a blocklist or
 *   feed verdict by that source; any other cached verdict expires now, so the next send or scan
 *   of its URL decides it again and records what it consulted (no verdict is guessed).
 * - `link_feed`: each reputation feed's last successful import (LinkFeedsService): a feed counts as
 *   consulted only while its entries are loaded.
 */
export class Migration20261207100000_link_sources extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table link add column sources jsonb;`);
    this.addSql(`update link set sources = '["staff"]' where overridden;`);
    this.addSql(`update link set sources = '["blocklist"]' where not overridden and rule = 'blocklist';`);
    this.addSql(`update link set sources = jsonb_build_array(rule) where not overridden and rule like 'feed:%';`);
    this.addSql(`update link set expires_at = least(expires_at, now()) where sources is null and verdict <> 'pending';`);
    this.addSql(`
create table link_feed (
  format text not null,
  location text not null,
  imported_at timestamptz not null,
  entries int not null,
  primary key (format, location)
);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists link_feed;`);
    this.addSql(`alter table link drop column if exists sources;`);
  }
}
