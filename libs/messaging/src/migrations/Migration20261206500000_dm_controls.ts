import { Migration } from '@mikro-orm/migrations';

/**
 * Moderators' tools for DMs (issue #30, API.md v1.2):
 * - `app_user.dm_access_revoked_at`: staff switched off this account's ability to start
 *   conversations or add members (policy/standing.ts); null while it may.
 * - `conversation.locked_at`: staff locked the conversation: nobody sends, edits, reacts or adds
 *   members there (policy/write-policy.ts); null while open. The send's seq UPDATE checks it on
 *   the row it locks, so no send is accepted after a lock commits.
 */
export class Migration20261206500000_dm_controls extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table app_user add column dm_access_revoked_at timestamptz;`);
    this.addSql(`alter table conversation add column locked_at timestamptz;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table conversation drop column if exists locked_at;`);
    this.addSql(`alter table app_user drop column if exists dm_access_revoked_at;`);
  }
}
