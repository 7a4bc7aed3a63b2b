import { Migration } from '@mikro-orm/migrations';

/**
 * Events partitioned by time (issue #18): `event` becomes a table partitioned by range of
 * created_at, one partition per UTC day (`event_pYYYYMMDD`) plus a default partition that only
 * catches rows no day partition exists for (the maintenance job was down for a week). Old days
 * are detached and dropped as a whole instead of DELETEd row by row.
 *
 * - created_at defaults to clock_timestamp() (the time the row is inserted, after the writer
 *   holds the user's user_cursor lock) instead of now() (the start of its transaction): one
 *   user's events then have non-decreasing created_at in cursor order, so dropping the oldest
 *   day removes a prefix of every user's cursors and nothing after it.
 * - The primary key must contain the partition key: (user_id, cursor, created_at). Cursors stay
 *   unique per user because they are handed out under the user_cursor row lock.
 * - event_partition_create(day) creates one day (moving rows the default partition holds for
 *   it first); event_partitions_maintain(ahead, retention) creates the next `ahead` days and
 *   drops the days older than `retention`, raising user_cursor.pruned_below to the highest
 *   cursor dropped per user, so older cursors get 410 cursor_expired as before. Both take their
 *   locks with a short lock_timeout so they never queue the send behind them for long; a
 *   timed-out run is retried by the next one.
 *
 * The conversion copies the existing rows inside this migration's transaction (writers wait on
 * the ACCESS EXCLUSIVE lock the rename takes, so no event is written to the old table after the
 * copy). Days older than 90 are not given partitions; such rows go to the default partition,
 * from which the maintenance job deletes them once past retention.
 */
export class Migration20261126173000_event_partitions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
lock table event in access exclusive mode;
alter table event rename to event_unpartitioned;
alter table event_unpartitioned rename constraint event_pkey to event_unpartitioned_pkey;
drop index if exists event_created_idx;

create table event (
  user_id uuid not null,
  cursor bigint not null,
  type text not null,
  payload jsonb not null,
  created_at timestamptz not null default clock_timestamp(),
  message_id uuid,
  primary key (user_id, cursor, created_at)
) partition by range (created_at);
create table event_default partition of event default;

create or replace function event_partition_create(day date) returns text language plpgsql as $fn$
declare
  part text := 'event_p' || to_char(day, 'YYYYMMDD');
  lo timestamptz := day::timestamp at time zone 'UTC';
  hi timestamptz := (day + 1)::timestamp at time zone 'UTC';
begin
  if to_regclass(part) is not null then return null; end if;
  perform set_config('lock_timeout', '2s', true);
  -- CREATE + ATTACH (not CREATE ... PARTITION OF): attaching locks the parent only in SHARE
  -- UPDATE EXCLUSIVE mode, so sends keep inserting meanwhile.
  execute format('create table %I (like event including defaults)', part);
  execute format('insert into %I select * from event_default where created_at >= $1 and created_at < $2', part) using lo, hi;
  delete from event_default where created_at >= lo and created_at < hi;
  execute format('alter table %I add constraint %I check (created_at >= %L and created_at < %L)', part, part || '_range', lo, hi);
  execute format('alter table event attach partition %I for values from (%L) to (%L)', part, lo, hi);
  execute format('alter table %I drop constraint %I', part, part || '_range');
  return part;
end
$fn$;

create or replace function event_partitions_maintain(ahead_days int, retention_days int) returns jsonb language plpgsql as $fn$
declare
  today date := (clock_timestamp() at time zone 'UTC')::date;
  horizon timestamptz := clock_timestamp() - make_interval(days => retention_days);
  created text[] := '{}';
  dropped text[] := '{}';
  part record;
  made text;
  deleted bigint := 0;
begin
  for i in 0..ahead_days loop
    made := event_partition_create(today + i);
    if made is not null then created := created || made; end if;
  end loop;
  perform set_config('lock_timeout', '2s', true);
  for part in
    select c.relname, to_date(substr(c.relname, 8), 'YYYYMMDD') as day
      from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'event'::regclass and c.relname ~ '^event_p[0-9]{8}$'
     order by 2
  loop
    exit when ((part.day + 1)::timestamp at time zone 'UTC') > horizon;
    execute format(
      'update user_cursor uc set pruned_below = greatest(uc.pruned_below, p.m)
         from (select user_id, max(cursor) as m from %I group by user_id) p where uc.user_id = p.user_id', part.relname);
    execute format('alter table event detach partition %I', part.relname);
    execute format('drop table %I', part.relname);
    dropped := dropped || part.relname::text;
  end loop;
  -- Rows that landed in the default partition and are past retention: the rare case, row by row.
  with del as (delete from event_default where created_at < horizon returning user_id, cursor),
       per_user as (select user_id, max(cursor) as m, count(*) as n from del group by user_id),
       upd as (update user_cursor uc set pruned_below = greatest(uc.pruned_below, p.m) from per_user p where uc.user_id = p.user_id returning 1)
  select coalesce(sum(n), 0) into deleted from per_user;
  return jsonb_build_object('created', to_jsonb(created), 'dropped', to_jsonb(dropped), 'deletedFromDefault', deleted);
end
$fn$;

select event_partition_create(d::date)
  from generate_series(
         greatest(coalesce((select min(created_at) from event_unpartitioned), now()), now() - interval '90 days') at time zone 'UTC',
         (now() + interval '7 days') at time zone 'UTC',
         interval '1 day') d;

insert into event (user_id, cursor, type, payload, created_at, message_id)
select user_id, cursor, type, payload, created_at, message_id from event_unpartitioned;
drop table event_unpartitioned;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
lock table event in access exclusive mode;
create table event_unpartitioned (
  user_id uuid not null,
  cursor bigint not null,
  type text not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  message_id uuid,
  primary key (user_id, cursor)
);
insert into event_unpartitioned select user_id, cursor, type, payload, created_at, message_id from event;
drop table event;
alter table event_unpartitioned rename to event;
alter table event rename constraint event_unpartitioned_pkey to event_pkey;
create index event_created_idx on event(created_at);
drop function if exists event_partitions_maintain(int, int);
drop function if exists event_partition_create(date);
`);
  }
}
