import { Migration } from '@mikro-orm/migrations';

/**
 * The whole first schema. Later schema changes are new migration files listed in
 * ./index.ts; this one is never edited after it has shipped.
 */
export class Migration20261125000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table app_setting (key text primary key, value text not null);

create table app_user (
  id uuid primary key,
  handle text not null unique,
  display_name text not null,
  password_hash text not null,
  allow_incoming text not null default 'all' check (allow_incoming in ('all','following','none')),
  status text not null default 'active' check (status in ('active','suspended','banned')),
  suspended_until timestamptz,
  restricted_until timestamptz,
  request_limit_factor real not null default 1,
  created_at timestamptz not null default now()
);

-- Per-user event counter: locking this row in the writing transaction makes each user's
-- event cursors strictly increasing in commit order, so sync never skips a late commit.
create table user_cursor (
  user_id uuid primary key references app_user(id) on delete cascade,
  last bigint not null default 0,
  pruned_below bigint not null default 0
);

create table refresh_token (
  id uuid primary key,
  family_id uuid not null,
  user_id uuid not null references app_user(id) on delete cascade,
  token_hash text not null unique,
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index refresh_token_family_idx on refresh_token(family_id);

create table follow (
  follower_id uuid not null references app_user(id) on delete cascade,
  followee_id uuid not null references app_user(id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (follower_id, followee_id)
);
create index follow_followee_idx on follow(followee_id);

create table block (
  blocker_id uuid not null references app_user(id) on delete cascade,
  blocked_id uuid not null references app_user(id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (blocker_id, blocked_id)
);
create index block_blocked_idx on block(blocked_id);

create table conversation (
  id uuid primary key,
  kind text not null check (kind in ('direct','group','room')),
  title text,
  creator_id uuid references app_user(id),
  direct_key text unique,
  room_id uuid,
  context jsonb,
  last_seq bigint not null default 0,
  request_msgs int not null default 0,
  last_activity_at timestamptz not null default now(),
  created_at timestamptz not null default now()
);

create table conversation_member (
  conversation_id uuid not null references conversation(id) on delete cascade,
  user_id uuid not null references app_user(id) on delete cascade,
  state text not null check (state in ('active','pending','declined','left')),
  role text not null default 'member',
  read_seq bigint not null default 0,
  joined_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (conversation_id, user_id)
);
create index conversation_member_user_idx on conversation_member(user_id, state);

create table message (
  id uuid primary key,
  conversation_id uuid not null references conversation(id) on delete cascade,
  seq bigint not null,
  sender_id uuid not null references app_user(id),
  client_id text not null,
  text text,
  links jsonb not null default '[]',
  state text not null default 'visible' check (state in ('visible','removed')),
  removed_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz,
  unique (conversation_id, seq),
  unique (conversation_id, sender_id, client_id)
);
create index message_sender_idx on message(sender_id, created_at);

create table link (
  id uuid primary key,
  url text not null unique,
  host text not null,
  verdict text not null default 'pending' check (verdict in ('pending','safe','suspicious','malicious')),
  reason text,
  rule text,
  overridden boolean not null default false,
  scanned_at timestamptz,
  expires_at timestamptz,
  seen_count int not null default 0,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
create index link_host_idx on link(host);

create table link_occurrence (
  id bigserial primary key,
  url text not null,
  host text not null,
  message_id uuid references message(id) on delete cascade,
  question_id uuid,
  scanned_at timestamptz,
  created_at timestamptz not null default now()
);
create index link_occurrence_url_idx on link_occurrence(url);
create index link_occurrence_host_idx on link_occurrence(host);
create index link_occurrence_created_idx on link_occurrence(created_at);
create index link_occurrence_pending_idx on link_occurrence(created_at) where scanned_at is null;
create index link_occurrence_message_idx on link_occurrence(message_id);
create index link_occurrence_question_idx on link_occurrence(question_id);

create table event (
  user_id uuid not null,
  cursor bigint not null,
  type text not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  primary key (user_id, cursor)
);
create index event_created_idx on event(created_at);

-- Transactional outbox: written with the change, drained by the relay after commit
-- (socket pushes and queue jobs); a row left behind by a crash is drained by the sweep.
create table outbox (
  id bigserial primary key,
  events jsonb not null default '[]',
  jobs jsonb not null default '[]',
  created_at timestamptz not null default now()
);

create table room (
  id uuid primary key,
  title text not null,
  host_id uuid not null references app_user(id),
  status text not null default 'live' check (status in ('live','ended')),
  backchannel_id uuid references conversation(id),
  created_at timestamptz not null default now(),
  ended_at timestamptz
);

create table room_member (
  room_id uuid not null references room(id) on delete cascade,
  user_id uuid not null references app_user(id) on delete cascade,
  role text not null check (role in ('moderator','speaker','listener')),
  present boolean not null default true,
  joined_at timestamptz not null default now(),
  left_at timestamptz,
  primary key (room_id, user_id)
);
create index room_member_user_idx on room_member(user_id);

create table question (
  id uuid primary key,
  room_id uuid not null references room(id) on delete cascade,
  author_id uuid not null references app_user(id),
  text text,
  links jsonb not null default '[]',
  status text not null default 'open' check (status in ('open','pinned','answered','dismissed')),
  upvotes int not null default 0,
  state text not null default 'visible' check (state in ('visible','removed')),
  removed_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz
);
create index question_room_idx on question(room_id);

create table question_upvote (
  question_id uuid not null references question(id) on delete cascade,
  user_id uuid not null references app_user(id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (question_id, user_id)
);

create table staff (
  id uuid primary key,
  email text not null unique,
  display_name text not null,
  password_hash text not null,
  role text not null check (role in ('admin','moderator','triage')),
  disabled boolean not null default false,
  created_at timestamptz not null default now()
);

create table report (
  id uuid primary key,
  subject_type text not null check (subject_type in ('message','user','conversation','question')),
  subject_id uuid not null,
  subject_user_id uuid,
  conversation_id uuid,
  reason text not null,
  note text,
  source text not null default 'user' check (source in ('user','system')),
  reporter_id uuid references app_user(id),
  status text not null default 'open' check (status in ('open','escalated','resolved')),
  priority real not null default 0,
  assignee_id uuid references staff(id),
  claimed_at timestamptz,
  due_at timestamptz,
  overdue boolean not null default false,
  first_response_at timestamptz,
  evidence jsonb,
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  resolved_by uuid references staff(id),
  resolution jsonb
);
create unique index report_reporter_subject_uq on report(reporter_id, subject_type, subject_id) where reporter_id is not null;
create unique index report_system_subject_uq on report(subject_type, subject_id, reason) where source = 'system';
create index report_status_idx on report(status, priority desc);
create index report_subject_idx on report(subject_id);
create index report_subject_user_idx on report(subject_user_id);

create table moderation_action (
  id uuid primary key,
  user_id uuid not null references app_user(id),
  action text not null,
  reason text,
  note text,
  staff_id uuid references staff(id),
  report_id uuid references report(id),
  subject_type text,
  subject_id uuid,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  lifted_at timestamptz,
  lifted_reason text
);
create index moderation_action_user_idx on moderation_action(user_id, created_at desc);

create table appeal (
  id uuid primary key,
  action_id uuid not null unique references moderation_action(id),
  user_id uuid not null references app_user(id),
  text text not null,
  status text not null default 'open' check (status in ('open','upheld','denied')),
  decided_by uuid references staff(id),
  decided_at timestamptz,
  decision_note text,
  created_at timestamptz not null default now()
);

create table notice (
  id uuid primary key,
  user_id uuid not null references app_user(id) on delete cascade,
  kind text not null,
  text text not null,
  data jsonb,
  created_at timestamptz not null default now()
);
create index notice_user_idx on notice(user_id, created_at desc);

create table blocklist_entry (
  id uuid primary key,
  pattern text not null,
  kind text not null check (kind in ('domain','url')),
  reason text,
  created_by uuid references staff(id),
  created_at timestamptz not null default now(),
  unique (kind, pattern)
);

create table sender_stats (
  sender_id uuid primary key references app_user(id) on delete cascade,
  requests_sent int not null default 0,
  declined int not null default 0,
  reported int not null default 0,
  duplicate_texts int not null default 0,
  score real not null default 0,
  sample jsonb not null default '[]',
  last_at timestamptz,
  updated_at timestamptz not null default now()
);
create index sender_stats_score_idx on sender_stats(score desc);

create table audit_log (
  id bigserial primary key,
  staff_id uuid,
  action text not null,
  subject_type text,
  subject_id text,
  before jsonb,
  after jsonb,
  created_at timestamptz not null default now()
);
create index audit_log_staff_idx on audit_log(staff_id);
create index audit_log_subject_idx on audit_log(subject_id);

-- Append-only for real: even a bug or a hand-typed UPDATE cannot rewrite history.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'P0001';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_append_only();
`);
  }

  override async down(): Promise<void> {
    throw new Error('The initial migration is not reversible; restore from a backup instead.');
  }
}
