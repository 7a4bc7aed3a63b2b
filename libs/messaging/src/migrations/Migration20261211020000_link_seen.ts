import { Migration } from '@mikro-orm/migrations';

/**
 * A send whose every link has a fresh cached verdict writes no `link_backlog` row and, later,
 * no `link_occurrence` row (issue #28, docs/BENCHMARKS.md "What a send costs"): its sightings
 * go to `link_seen`, one row per conversation, sender and URL, which the send upserts. Only
 * `last_seq`, `last_at` and `n` change on a repeat, none of them indexed, so the update is HOT
 * (fillfactor 50 leaves the page room for it; autovacuum is not needed for that, a page is
 * pruned when it is read). The rows say where to look: the sender's messages of that
 * conversation between `first_seq` and `last_seq` whose `links` hold the URL
 * (link-scanner.repository.ts seenOccurrencesSql), which the rare readers (staff link review,
 * blocklist preview and re-scan) read there.
 *
 * `n - folded` sightings are not yet counted into `link.seen_count`: a row with some has one
 * `link_seen_dirty` row (written by the send that made it so, unindexed, taken whole by ctid
 * like link_backlog), which the backlog scan folds (LinkScannerService.foldSightings).
 * conversation_id leads the primary key (the distribution column, docs/SCALING.md §5); the
 * url index serves the readers by URL and is written once per row, never by the update.
 */
export class Migration20261211020000_link_seen extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table link_seen (
  conversation_id uuid not null references conversation (id) on delete cascade,
  sender_id uuid not null,
  url text not null,
  host text not null,
  first_seq bigint not null,
  last_seq bigint not null,
  first_at timestamptz not null default now(),
  last_at timestamptz not null default now(),
  n int not null default 1,
  folded int not null default 0,
  primary key (conversation_id, sender_id, url)
) with (fillfactor = 50);
create index link_seen_url_idx on link_seen (url);
create table link_seen_dirty (conversation_id uuid not null, sender_id uuid not null, url text not null);
`);
  }

  override async down(): Promise<void> {
    // Back to one occurrence per message: the sightings are counted and their messages' occurrences written.
    this.addSql(`
update link l set seen_count = l.seen_count + s.d, last_seen_at = greatest(l.last_seen_at, s.last_at)
  from (select url, sum(n - folded)::int as d, max(last_at) as last_at from link_seen group by url) s
 where l.url = s.url and s.d > 0;
insert into link_occurrence (url, host, message_id, conversation_id, scanned_at, created_at)
select s.url, s.host, m.id, m.conversation_id, m.created_at, m.created_at
  from link_seen s
  join message m on m.conversation_id = s.conversation_id and m.seq between s.first_seq and s.last_seq
   and m.sender_id = s.sender_id and m.links @> jsonb_build_array(jsonb_build_object('url', s.url))
on conflict (message_id, url) do nothing;
drop table link_seen_dirty;
drop table link_seen;
`);
  }
}
