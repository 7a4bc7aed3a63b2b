import { Migration } from '@mikro-orm/migrations';

/**
 * Staff rules (API.md v1.1 "Rules", issue #14): the rules (a low-traffic table, the
 * ModerationRule entity), every match (`rule_hit`, kept after its rule is deleted, with the
 * rule's name), and the `held` message state: a message a live `hold` rule stopped, seen
 * only by its sender until staff approve (→ visible) or reject it (→ removed, reason `rule`).
 */
export class Migration20261126171130_moderation_rules extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table moderation_rule (
  id uuid primary key,
  name text not null,
  enabled boolean not null default true,
  mode text not null check (mode in ('live','dry_run')),
  kind text not null check (kind in ('keyword','regex','domain')),
  patterns text[] not null,
  applies_to text[] not null,
  action text not null check (action in ('block','hold','hide','flag')),
  reason text not null,
  exempt_user_ids uuid[] not null default '{}',
  created_by uuid references staff(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create table rule_hit (
  id uuid primary key,
  rule_id uuid references moderation_rule(id) on delete set null,
  rule_name text not null,
  user_id uuid not null references app_user(id) on delete cascade,
  scope text not null check (scope in ('requests','direct','group','room','questions')),
  mode text not null check (mode in ('live','dry_run')),
  action text not null check (action in ('block','hold','hide','flag')),
  applied boolean not null,
  pattern text not null,
  conversation_id uuid references conversation(id) on delete cascade,
  message_id uuid references message(id) on delete set null,
  question_id uuid references question(id) on delete set null,
  created_at timestamptz not null default now()
);
create index rule_hit_rule_idx on rule_hit(rule_id, created_at);
create index rule_hit_user_idx on rule_hit(user_id, created_at);
create index rule_hit_message_idx on rule_hit(message_id) where message_id is not null;
create index rule_hit_hide_idx on rule_hit(conversation_id) where action = 'hide' and applied;
alter table message drop constraint if exists message_state_check;
alter table message add constraint message_state_check check (state in ('visible','removed','held'));
create index message_held_idx on message(created_at) where state = 'held';
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop index if exists message_held_idx;
update message set state = 'removed', removed_reason = 'rule' where state = 'held';
alter table message drop constraint if exists message_state_check;
alter table message add constraint message_state_check check (state in ('visible','removed'));
drop table if exists rule_hit;
drop table if exists moderation_rule;
`);
  }
}
