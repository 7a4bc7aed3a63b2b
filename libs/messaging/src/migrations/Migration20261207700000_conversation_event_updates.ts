import { Migration } from '@mikro-orm/migrations';

/**
 * The positions stream carries every conversation event once (issue #28, docs/ARCHITECTURE.md
 * "The event stream"): message.updated and read.updated join message.created in
 * `conversation_event`, and the stream has a retention.
 *
 * - `conversation_event.payload`: what an event that is not a message carries (read.updated:
 *   `{conversationId, userId, seq, readSeq}`); `message_id` is null for those.
 * - `stream_mark(at, h)`: the horizon pg_snapshot_xmin(pg_current_snapshot()) at time `at`,
 *   written by the retention job (EventsService.prune) on each run. Every transaction below `h`
 *   had ended at `at`, so every row positioned below `h` was written before `at`.
 * - `stream_retention.pruned_below`: the position below which events may have been dropped;
 *   a positions cursor below it gets 410 cursor_expired.
 * - A BRIN index on created_at lets the retention job find old rows without an index entry per
 *   row on the send's hot path (a few pages per range, not a btree insert per event).
 */
export class Migration20261207700000_conversation_event_updates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table conversation_event alter column message_id drop not null, add column payload jsonb;
create index conversation_event_created_brin on conversation_event using brin (created_at);

create table stream_mark (
  at timestamptz not null primary key default now(),
  h xid8 not null
);

create table stream_retention (
  id int primary key default 1 check (id = 1),
  pruned_below xid8 not null
);
insert into stream_retention (pruned_below) values ('0'::xid8);
-- the first mark: the stream's history reaches back to here (EventsService.pruneStream)
insert into stream_mark (at, h) values (clock_timestamp(), pg_snapshot_xmin(pg_current_snapshot()));
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop table stream_retention;
drop table stream_mark;
drop index conversation_event_created_brin;
delete from conversation_event where message_id is null;
alter table conversation_event drop column payload, alter column message_id set not null;
`);
  }
}
