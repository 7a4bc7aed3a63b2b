import { Migration } from '@mikro-orm/migrations';

/**
 * Data exports (issue #31, API.md v1.2 "Your data"):
 * - `conversation_member.left_seq`: the last seq a member could read when they left (set by
 *   every statement that makes a member `left`), so an export holds a left conversation up to
 *   when they left (policy/visibility.ts memberExportsMessageSql). Rows that left before this
 *   migration get the last message posted before their row last changed (their leaving).
 * - `data_export`: one archive request; `data_export_chunk`: its JSON in ~1 MB pieces, stored in
 *   PostgreSQL so any API process serves the download, piece by piece.
 */
export class Migration20261205030000_data_export extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table conversation_member add column left_seq bigint;`);
    this.addSql(`update conversation_member cm set left_seq = coalesce((
      select max(x.seq) from message x where x.conversation_id = cm.conversation_id and x.created_at <= cm.updated_at), 0)
     where cm.state = 'left';`);
    this.addSql(`create table data_export (
  id uuid primary key,
  user_id uuid not null references app_user(id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'ready')),
  size bigint,
  created_at timestamptz not null default now(),
  ready_at timestamptz,
  expires_at timestamptz not null
);`);
    this.addSql(`create index data_export_user_idx on data_export(user_id, created_at desc);`);
    this.addSql(`create index data_export_expires_idx on data_export(expires_at);`);
    this.addSql(`create table data_export_chunk (
  export_id uuid not null references data_export(id) on delete cascade,
  n int not null,
  bytes bytea not null,
  primary key (export_id, n)
);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table data_export_chunk;`);
    this.addSql(`drop table data_export;`);
    this.addSql(`alter table conversation_member drop column left_seq;`);
  }
}
