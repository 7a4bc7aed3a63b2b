import { Migration } from '@mikro-orm/migrations';

/**
 * What a new link costs after the send (issue #28, docs/BENCHMARKS.md "What a send costs"):
 *
 * - `message` keeps room on each page (fillfactor 85): a link left pending at the send is
 *   settled by the backlog scan a moment later (UPDATE of `links`, `updated_at`; neither
 *   indexed), and a page with room keeps that update HOT: no new entry in any of the
 *   message's seven indexes (the search GIN included). Edits of the text and reactions gain
 *   the same where they change no indexed column. It applies to pages written from now on.
 * - `link_occurrence_host_idx` served no query: every reader of an occurrence's host matches
 *   a domain and its subdomains (`host = $1 OR right(host, ...) = '.' || $1`), which a btree
 *   on host cannot answer (those queries go by created_at or id). One index insertion and one
 *   WAL record fewer per link of every send.
 */
export class Migration20261209300000_link_settle extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table message set (fillfactor = 85);
drop index if exists link_occurrence_host_idx;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
alter table message reset (fillfactor);
create index if not exists link_occurrence_host_idx on link_occurrence (host);
`);
  }
}
