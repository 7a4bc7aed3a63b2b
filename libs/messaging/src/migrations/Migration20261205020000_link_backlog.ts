import { Migration } from '@mikro-orm/migrations';

/**
 * Links off the synchronous write (issue #28): a send with links writes one `link_backlog`
 * row (its message and its links, each with whether the send settled it from the cache), and
 * no `link_occurrence` (6 indexes) or `link_sighting` row. The scanner writes the occurrences
 * and counts the sightings from the backlog in batches (LinkScannerService.flushBacklog).
 * No index: it is only ever taken whole, in batches, by ctid (as link_sighting was).
 * `conversation_id`: co-located with its message when distributed (docs/SCALING.md).
 * Sightings left in `link_sighting` are counted here, and the table goes.
 */
export class Migration20261205020000_link_backlog extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table link_backlog (message_id uuid not null, conversation_id uuid not null, links jsonb not null, created_at timestamptz not null default now());`,
    );
    this.addSql(
      `update link l set seen_count = l.seen_count + s.n, last_seen_at = greatest(l.last_seen_at, s.last)
         from (select url, count(*)::int as n, max(seen_at) as last from link_sighting group by url) s where l.url = s.url;`,
    );
    this.addSql(`drop table link_sighting;`);
  }

  override async down(): Promise<void> {
    this.addSql(`create table link_sighting (url text not null, seen_at timestamptz not null default now());`);
    this.addSql(
      `insert into link_occurrence (url, host, message_id, conversation_id, scanned_at, created_at)
       select x.url, x.host, b.message_id, b.conversation_id, case when x.cached then b.created_at end, b.created_at
         from link_backlog b join message m on m.id = b.message_id, jsonb_to_recordset(b.links) as x(url text, host text, cached boolean);`,
    );
    this.addSql(
      `insert into link_sighting (url, seen_at)
       select x.url, b.created_at from link_backlog b, jsonb_to_recordset(b.links) as x(url text, host text, cached boolean) where x.cached;`,
    );
    this.addSql(`drop table link_backlog;`);
  }
}
