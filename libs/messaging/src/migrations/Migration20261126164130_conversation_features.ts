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
 * - Search: `search_tsv`, a stored generated column (to_tsvector('simple', text)), and a GIN
 *   index over it for visible messages. `simple`: messages are in any language, so words
 *   are matched as written, with no one language's stemming or stop words.
 *   Why stored and not an expression index: ranking reads the tsvector of every candidate;
 *   with an expression index each one is parsed again (the bench, 1M messages: a query of a
 *   very common word went from ~210 ms to ~80 ms of SQL on the loaded machine). Its cost:
 *   the send computes one to_tsvector (an expression index costs the same) and stores
 *   ~150 bytes more per message (about twice a short text), WAL included; the GIN insert
 *   goes to the index's pending list (fastupdate) and is merged in bulk by autovacuum. Adding
 *   the column rewrites the message table once (a lock for the rewrite's duration).
 */
export class Migration20261126164130_conversation_features extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
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
alter table message add column search_tsv tsvector generated always as (to_tsvector('simple', coalesce(text, ''))) stored;
create index message_search_idx on message using gin (search_tsv) where state = 'visible';
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop index if exists message_search_idx;
alter table message drop column if exists search_tsv;
drop table if exists message_version;
alter table message drop column if exists reactions;
alter table message drop column if exists reply_to_sender_id;
alter table message drop column if exists reply_to_seq;
alter table message drop column if exists edited_at;
`);
  }
}
