import { Migration } from '@mikro-orm/migrations';

/**
 * Stream positions (issue #28, docs/ARCHITECTURE.md "The event stream"): every event gets a
 * position `(tx, id)`: `tx` the writing transaction's xid8 (pg_current_xact_id()), `id` from
 * one sequence, `stream_pos`. Readers serve only positions below the horizon
 * pg_snapshot_xmin(pg_current_snapshot()), the final prefix (test/e2e/stream-horizon.e2e-spec.ts).
 *
 * - `conversation_event`: one row per conversation event (message.created from the send), with
 *   its `audience`, the members who read it when it was written (policy/visibility.ts,
 *   memberReadsMessageSql, decided once in the writing statement: the live push goes to the same
 *   users). Keyed (conversation_id, tx, id): a reader walks each of its conversations by position.
 * - `event` gets `tx` and `pos` with the same defaults; rows written before this migration keep
 *   them null and are never served by position (a positions client starts from "now"). A row the
 *   positions stream carries elsewhere (the send's per-member message.created, which
 *   conversation_event carries once) is written with null `tx` too.
 * - `user_cursor.v1_seen_at`: when a client of the user last spoke v1 (consecutive per-user
 *   cursors); existing users are marked now, so nothing changes for their clients.
 */
export class Migration20261206600000_event_positions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create sequence stream_pos;

alter table event add column tx xid8, add column pos bigint;
alter table event alter column tx set default pg_current_xact_id(), alter column pos set default nextval('stream_pos');
create index event_user_position_idx on event (user_id, tx, pos) where tx is not null;

create table conversation_event (
  conversation_id uuid not null,
  tx xid8 not null default pg_current_xact_id(),
  id bigint not null default nextval('stream_pos'),
  type text not null,
  message_id uuid not null,
  audience uuid[] not null,
  created_at timestamptz not null default now(),
  primary key (conversation_id, tx, id)
);

alter table user_cursor add column v1_seen_at timestamptz;
update user_cursor set v1_seen_at = now();
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
alter table user_cursor drop column v1_seen_at;
drop table conversation_event;
drop index event_user_position_idx;
alter table event drop column tx, drop column pos;
drop sequence stream_pos;
`);
  }
}
