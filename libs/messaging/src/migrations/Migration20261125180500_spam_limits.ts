import { Migration } from '@mikro-orm/migrations';

/**
 * Spam-request scoring: why a sender's request limit was tightened (shown to staff with the
 * sender's row), and the index the scorer needs to find a sender's conversations.
 */
export class Migration20261125180500_spam_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table sender_stats add column limit_reason text;
create index conversation_creator_idx on conversation(creator_id);
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop index if exists conversation_creator_idx;
alter table sender_stats drop column limit_reason;
`);
  }
}
