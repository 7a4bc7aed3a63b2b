import { Migration } from '@mikro-orm/migrations';

/**
 * API processes load the refresh families revoked within the last access-token lifetime
 * (SessionRevocations.load) at boot and on every Redis reconnect: a partial index keeps that
 * a short range scan however many tokens were ever issued.
 */
export class Migration20261126120000_revoked_families extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index refresh_token_revoked_idx on refresh_token(revoked_at) where revoked_at is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists refresh_token_revoked_idx;`);
  }
}
