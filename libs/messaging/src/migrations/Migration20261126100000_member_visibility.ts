import { Migration } from '@mikro-orm/migrations';

/**
 * What a member may read of a conversation: `visible_from_seq` is the conversation's last seq
 * when they were added to a group (0 for founders, direct conversations and the room
 * backchannel); they read messages with a higher seq only (API.md v1.1).
 */
export class Migration20261126100000_member_visibility extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table conversation_member add column visible_from_seq bigint not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table conversation_member drop column visible_from_seq;`);
  }
}
