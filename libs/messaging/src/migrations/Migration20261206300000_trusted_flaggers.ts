import { Migration } from '@mikro-orm/migrations';

/**
 * Trusted flaggers and reporters who misuse reporting (issue #29, API.md v1.2, DSA Art. 22, 23):
 * - `report.source` also takes `trusted_flagger`: stamped when the report is filed, so it keeps
 *   saying who filed it (and its DSA source type) after the designation ends.
 * - `app_user.trusted_flagger_name` / `trusted_flagger_since`: the designated entity's name
 *   (the flag itself, `trusted_flagger`, is older).
 */
export class Migration20261206300000_trusted_flaggers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table report drop constraint report_source_check;`);
    this.addSql(`alter table report add constraint report_source_check check (source in ('user', 'system', 'trusted_flagger'));`);
    this.addSql(`alter table app_user add column trusted_flagger_name text, add column trusted_flagger_since timestamptz;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table app_user drop column if exists trusted_flagger_name, drop column if exists trusted_flagger_since;`);
    this.addSql(`update report set source = 'user' where source = 'trusted_flagger';`);
    this.addSql(`alter table report drop constraint report_source_check;`);
    this.addSql(`alter table report add constraint report_source_check check (source in ('user', 'system'));`);
  }
}
