import { Migration } from '@mikro-orm/migrations';

/**
 * Edits, reactions, replies and search (issue #16, API.md "Messages" v1.1).
 * - `message.edited_at`: null until edited. `message_version`: every earlier text and links
 *   of an edited message, for staff only (a report freezes them into its evidence).
 * - `message.reply_to_seq` / `reply_to_sender_id`: what a reply quotes. Seq and sender of a
 *   message never change, so they are stored; the quoted text is rendered from the quoted
 *   row at read time (it follows edits, unsend and removal).
 * - `message.reactions`: `[{emoji, by: [userId]}]` in first-reaction order. On the row, not
 *   in a table of their own: a conversation has at most 15 members (a room backchannel: its
 *   moderators), so the lists stay small; every reader gets counts without a join; and one
 *   UPDATE under the row lock keeps "idempotent" and "at most 20 emoji" true under races.
 *   `by` never leaves the server: each reader gets `{emoji, count, me}` (message-view.ts).
 * - Search: a GIN index over (conversation_id, to_tsvector('simple', text)) of visible
 *   messages (btree_gin for the uuid column). An expression index and not a stored column:
 *   no extra bytes per row, and the send pays one to_tsvector and a GIN insert that goes to
 *   the index's pending list (fastupdate), merged in bulk by autovacuum. `simple`: messages
 *   are in any language, so no stemming or stop words of one language.
 */
export class Migration20261126164130_conversation_features extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create extension if not exists btree_gin;
alter table message add column edited_at timestamptz;
alter table message add column reply_to_seq bigint;
alter table message add column reply_to_sender_id uuid;
alter table message add column reactions jsonb not null default '[]';
create table message_version (
  id bigserial primary key,
  message_id uuid not null references message(id) on delete cascade,
  version int not null,
  text text,
  links jsonb not null default '[]',
  written_at timestamptz not null,
  replaced_at timestamptz not null default now(),
  unique (message_id, version)
);
create index message_search_idx on message using gin (conversation_id, to_tsvector('simple', text)) where state = 'visible';
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop index if exists message_search_idx;
drop table if exists message_version;
alter table message drop column if exists reactions;
alter table message drop column if exists reply_to_sender_id;
alter table message drop column if exists reply_to_seq;
alter table message drop column if exists edited_at;
`);
  }
}
