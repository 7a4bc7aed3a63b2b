import { Migration } from '@mikro-orm/migrations';

/**
 * The send path (issue #13):
 * - a link whose verdict is cached and fresh is settled inside the send; its sighting is
 *   appended to `link_sighting` (no index: the send never touches the hot `link` row, which
 *   every message with a popular URL would queue on), and the pending-link sweep folds those
 *   into link.seen_count/last_seen_at;
 * - a message.* event references its message (event.message_id) instead of carrying a copy
 *   per recipient; sync renders the message's current row. Existing rows are converted.
 */
export class Migration20261126150000_send_path extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table link_sighting (url text not null, seen_at timestamptz not null default now());`);
    this.addSql(`alter table event add column message_id uuid;`);
    this.addSql(
      `update event set message_id = (payload -> 'message' ->> 'id')::uuid, payload = payload - 'message'
        where type in ('message.created', 'message.updated') and payload -> 'message' ->> 'id' is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `update event e set payload = e.payload || jsonb_build_object('message', jsonb_build_object(
         'id', m.id, 'conversationId', m.conversation_id, 'seq', m.seq, 'senderId', m.sender_id, 'clientId', m.client_id,
         'text', m.text, 'links', m.links, 'state', m.state,
         'createdAt', to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
         from message m where m.id = e.message_id;`,
    );
    this.addSql(`alter table event drop column if exists message_id;`);
    this.addSql(`drop table if exists link_sighting;`);
  }
}
