import { Migration } from '@mikro-orm/migrations';

/**
 * Protection around rooms (issue #30, API.md v1.2):
 * - `app_user.limits_from` / `limits_until`: Limits (who may no longer start a conversation
 *   with me, until when); `allow_group_invites`: who may add me to a group.
 * - member state `held`: a request the fan-out check holds for staff review; its recipient
 *   sees nothing of it (every reader asks for `active` or `pending`) until staff release it.
 * - `request_hidden`: requests moved to the hidden folder by Limits or the pile-on breaker.
 *   Stored (not decided at read time) so ending Limits moves nothing back. No foreign key to
 *   `conversation`: the breaker hides every request of its window, including ones another
 *   process counted but has not committed yet.
 * - `pile_on_trip`: each time the breaker switched Limits on (staff count them per day).
 * - `sender_stats.burst_*`: the fan-out burst that held a sender's requests, for the queue.
 */
export class Migration20261206400000_request_protection extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table app_user
  add column limits_from text check (limits_from in ('non_followers', 'recent_followers')),
  add column limits_until timestamptz,
  add column allow_group_invites text not null default 'all' check (allow_group_invites in ('all', 'following', 'none'));`);
    this.addSql(`alter table conversation_member drop constraint if exists conversation_member_state_check;`);
    this.addSql(
      `alter table conversation_member add constraint conversation_member_state_check check (state in ('active', 'pending', 'declined', 'left', 'held'));`,
    );
    this.addSql(`create table request_hidden (
  user_id uuid not null references app_user(id) on delete cascade,
  conversation_id uuid not null,
  reason text not null check (reason in ('limits', 'pile_on')),
  created_at timestamptz not null default now(),
  primary key (user_id, conversation_id)
);`);
    this.addSql(`create table pile_on_trip (
  id uuid primary key,
  user_id uuid not null references app_user(id) on delete cascade,
  requests int not null,
  threshold int not null,
  window_minutes int not null,
  halved boolean not null,
  limits_until timestamptz not null,
  created_at timestamptz not null default now()
);`);
    this.addSql(`create index pile_on_trip_user_idx on pile_on_trip(user_id, created_at desc);`);
    this.addSql(`create index pile_on_trip_created_idx on pile_on_trip(created_at);`);
    this.addSql(`create index conversation_member_held_idx on conversation_member(conversation_id) where state = 'held';`);
    this.addSql(`alter table sender_stats add column burst_count int, add column burst_window_minutes int, add column burst_at timestamptz;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table sender_stats drop column burst_count, drop column burst_window_minutes, drop column burst_at;`);
    this.addSql(`drop index if exists conversation_member_held_idx;`);
    this.addSql(`drop table pile_on_trip;`);
    this.addSql(`drop table request_hidden;`);
    this.addSql(`update conversation_member set state = 'pending' where state = 'held';`);
    this.addSql(`alter table conversation_member drop constraint conversation_member_state_check;`);
    this.addSql(
      `alter table conversation_member add constraint conversation_member_state_check check (state in ('active', 'pending', 'declined', 'left'));`,
    );
    this.addSql(`alter table app_user drop column limits_from, drop column limits_until, drop column allow_group_invites;`);
  }
}
