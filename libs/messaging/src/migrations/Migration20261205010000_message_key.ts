import { Migration } from '@mikro-orm/migrations';

/**
 * The message side's keys carry the conversation (issue #28, docs/SCALING.md §5): Citus
 * distributes `message` and the tables hanging off it by conversation_id, and needs the
 * distribution column in every primary key, unique constraint and foreign key between them.
 *
 * - `message`: PRIMARY KEY (id, conversation_id) instead of (id). `id` leads, so every lookup
 *   by id alone (sync's join, the edit and removal paths, the audience) still uses the primary
 *   key and no index is added to the send's write. Ids are UUIDv7 made by the server
 *   (ids.ts), so (id, conversation_id) is as unique as id was.
 * - The four tables that reference a message get its conversation_id and a composite foreign
 *   key (message_id, conversation_id) → message(id, conversation_id), same ON DELETE as before:
 *   `message_retained` and `message_version` (NOT NULL; their primary and unique keys gain the
 *   column too),
 *   `link_occurrence` (question rows keep both null; a CHECK forbids a message_id without it),
 *   and `rule_hit`, which already had conversation_id (the screening's, always set with a
 *   message_id): its foreign key nulls only message_id on delete, as before (PostgreSQL 15
 *   column list).
 * - Existing rows are backfilled from `message`; a row whose message is gone cannot exist (the
 *   old foreign keys cascaded or nulled).
 */
export class Migration20261205010000_message_key extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table link_occurrence drop constraint link_occurrence_message_id_fkey;
alter table message_retained drop constraint message_retained_message_id_fkey;
alter table message_version drop constraint message_version_message_id_fkey;
alter table rule_hit drop constraint rule_hit_message_id_fkey;

alter table message drop constraint message_pkey;
alter table message add constraint message_pkey primary key (id, conversation_id);

alter table link_occurrence add column conversation_id uuid;
update link_occurrence o set conversation_id = m.conversation_id from message m where m.id = o.message_id;
alter table link_occurrence add constraint link_occurrence_message_conversation_check
  check (message_id is null or conversation_id is not null);
alter table link_occurrence add constraint link_occurrence_message_fkey
  foreign key (message_id, conversation_id) references message (id, conversation_id) on delete cascade;

alter table message_retained add column conversation_id uuid;
update message_retained r set conversation_id = m.conversation_id from message m where m.id = r.message_id;
alter table message_retained alter column conversation_id set not null;
alter table message_retained drop constraint message_retained_pkey;
alter table message_retained add constraint message_retained_pkey primary key (message_id, conversation_id);
alter table message_retained add constraint message_retained_message_fkey
  foreign key (message_id, conversation_id) references message (id, conversation_id) on delete cascade;

alter table message_version add column conversation_id uuid;
update message_version v set conversation_id = m.conversation_id from message m where m.id = v.message_id;
alter table message_version alter column conversation_id set not null;
alter table message_version drop constraint message_version_message_id_version_key;
alter table message_version add constraint message_version_message_id_version_key unique (message_id, conversation_id, version);
alter table message_version drop constraint message_version_pkey;
alter table message_version add constraint message_version_pkey primary key (id, conversation_id);
alter table message_version add constraint message_version_message_fkey
  foreign key (message_id, conversation_id) references message (id, conversation_id) on delete cascade;

update rule_hit h set conversation_id = m.conversation_id from message m where m.id = h.message_id and h.conversation_id is null;
alter table rule_hit add constraint rule_hit_message_conversation_check
  check (message_id is null or conversation_id is not null);
alter table rule_hit add constraint rule_hit_message_fkey
  foreign key (message_id, conversation_id) references message (id, conversation_id) on delete set null (message_id);
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
alter table rule_hit drop constraint rule_hit_message_fkey;
alter table rule_hit drop constraint rule_hit_message_conversation_check;
alter table message_version drop constraint message_version_message_fkey;
alter table message_version drop constraint message_version_message_id_version_key;
alter table message_version add constraint message_version_message_id_version_key unique (message_id, version);
alter table message_version drop constraint message_version_pkey;
alter table message_version add constraint message_version_pkey primary key (id);
alter table message_version drop column conversation_id;
alter table message_retained drop constraint message_retained_message_fkey;
alter table message_retained drop constraint message_retained_pkey;
alter table message_retained add constraint message_retained_pkey primary key (message_id);
alter table message_retained drop column conversation_id;
alter table link_occurrence drop constraint link_occurrence_message_fkey;
alter table link_occurrence drop constraint link_occurrence_message_conversation_check;
alter table link_occurrence drop column conversation_id;

alter table message drop constraint message_pkey;
alter table message add constraint message_pkey primary key (id);

alter table link_occurrence add constraint link_occurrence_message_id_fkey foreign key (message_id) references message(id) on delete cascade;
alter table message_retained add constraint message_retained_message_id_fkey foreign key (message_id) references message(id) on delete cascade;
alter table message_version add constraint message_version_message_id_fkey foreign key (message_id) references message(id) on delete cascade;
alter table rule_hit add constraint rule_hit_message_id_fkey foreign key (message_id) references message(id) on delete set null;
`);
  }
}
