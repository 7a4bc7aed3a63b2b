import { Migration } from '@mikro-orm/migrations';

/**
 * `message.link_hold`: true while the message's links await their verdict and a `pending`
 * member (a message request's recipient) may not read it yet (policy/visibility.ts). Set by
 * the send when any link is still `pending`; cleared by the verdict or, past
 * HELD_LINK_MAX_SECONDS, by the held-link sweep, each of which then delivers it to the
 * pending members. A message removed while held keeps it: they never see it. The partial
 * index serves the sweep and stays small (only visible held messages).
 */
export class Migration20261126160000_link_hold extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table message add column link_hold boolean not null default false;
create index message_link_hold_idx on message (created_at) where link_hold and state = 'visible';
`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists message_link_hold_idx; alter table message drop column if exists link_hold;');
  }
}
