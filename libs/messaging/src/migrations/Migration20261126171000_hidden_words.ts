import { Migration } from '@mikro-orm/migrations';

/**
 * Hidden words (API.md v1.1): each user's own list and whether the built-in default list
 * applies (on for new and existing accounts). Read by the requests/hidden folders at read
 * time, so changing the words re-sorts existing requests.
 */
export class Migration20261126171000_hidden_words extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table app_user add column hidden_words text[] not null default '{}';
alter table app_user add column use_default_hidden_words boolean not null default true;
`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table app_user drop column if exists hidden_words; alter table app_user drop column if exists use_default_hidden_words;');
  }
}
