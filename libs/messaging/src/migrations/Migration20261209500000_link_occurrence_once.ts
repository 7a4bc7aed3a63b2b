import { Migration } from '@mikro-orm/migrations';

/**
 * One occurrence per message and link: `link_occurrence (message_id, url)` is unique. Two
 * writers add a message's occurrences, the link backlog's batch (a send's links) and an edit
 * (its new text's links), each skipping a URL that already has one; but each reads with its
 * own snapshot, so an edit that committed while the batch's statement waited on the message
 * row (or the other way round) added the same occurrence twice. Both now insert with
 * ON CONFLICT DO NOTHING on this index. It replaces `link_occurrence_message_idx`
 * (message_id), whose lookups it serves with its first column: no more index writes per link
 * than before. Duplicates already written are removed first (the first of each is kept;
 * questions' rows, message_id NULL, are never equal here).
 */
export class Migration20261209500000_link_occurrence_once extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
delete from link_occurrence o using link_occurrence k
 where o.message_id is not null and k.message_id = o.message_id and k.url = o.url and k.id < o.id;
create unique index link_occurrence_message_url_key on link_occurrence (message_id, url);
drop index if exists link_occurrence_message_idx;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
create index if not exists link_occurrence_message_idx on link_occurrence (message_id);
drop index if exists link_occurrence_message_url_key;
`);
  }
}
