import { Migration } from '@mikro-orm/migrations';

/**
 * The audit log becomes tamper-evident (API.md v1.1): every entry carries a gap-free `seq`,
 * `prev_hash` (the previous entry's hash; 64 zeros for the first) and `hash`, a SHA-256
 * over prev_hash and the entry's every column. A BEFORE INSERT trigger fills them under a
 * transaction-scoped advisory lock, so parallel appends form one chain. Existing entries are
 * chained here, in id order.
 *
 * The hash expression must stay identical to ENTRY_HASH_SQL in safety/audit-log.service.ts,
 * which recomputes it to verify (never trusting a function the table owner could replace:
 * only pg_catalog built-ins).
 *
 * Only the table's owner (the role that migrates) may change it: UPDATE, DELETE and
 * TRUNCATE are revoked from every other role (README "Database roles").
 *
 * Also: blocklist entries record their re-scan's progress (rescan_total, rescan_done).
 */
const hashOf = (r: string) => `encode(pg_catalog.sha256(convert_to(concat_ws('|',
    quote_nullable(${r}.prev_hash), ${r}.seq::text, ${r}.id::text, quote_nullable(${r}.staff_id::text), quote_nullable(${r}.action),
    quote_nullable(${r}.subject_type), quote_nullable(${r}.subject_id), quote_nullable(${r}.before::text), quote_nullable(${r}.after::text),
    to_char(${r}.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')), 'UTF8')), 'hex')`;

export class Migration20261126130000_audit_chain extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table audit_log add column seq bigint, add column prev_hash text, add column hash text;

alter table audit_log disable trigger audit_log_no_update;
do $$
declare
  r audit_log;
  prev text := repeat('0', 64);
  n bigint := 0;
begin
  for r in select * from audit_log order by id loop
    n := n + 1;
    r.seq := n;
    r.prev_hash := prev;
    r.hash := ${hashOf('r')};
    update audit_log set seq = r.seq, prev_hash = r.prev_hash, hash = r.hash where id = r.id;
    prev := r.hash;
  end loop;
end $$;
alter table audit_log enable trigger audit_log_no_update;

alter table audit_log alter column seq set not null, alter column prev_hash set not null, alter column hash set not null;
create unique index audit_log_seq_idx on audit_log(seq);

create function audit_log_chain() returns trigger language plpgsql as $$
declare
  head record;
begin
  -- One appender at a time, until its transaction ends: the chain has one head.
  perform pg_advisory_xact_lock(7302114002);
  select a.seq, a.hash into head from audit_log a order by a.seq desc limit 1;
  new.seq := coalesce(head.seq, 0) + 1;
  new.prev_hash := coalesce(head.hash, repeat('0', 64));
  new.hash := ${hashOf('new')};
  return new;
end $$;
create trigger audit_log_chain before insert on audit_log for each row execute function audit_log_chain();

do $$
declare
  g record;
begin
  for g in select distinct grantee from information_schema.role_table_grants
            where table_schema = current_schema() and table_name = 'audit_log'
              and privilege_type in ('UPDATE', 'DELETE', 'TRUNCATE') and grantee <> current_user loop
    execute format('revoke update, delete, truncate on audit_log from %I', g.grantee);
  end loop;
end $$;

-- Blocklist re-scan progress, for staff: occurrences to walk and walked so far (null: not started).
alter table blocklist_entry add column rescan_total int, add column rescan_done int;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
alter table blocklist_entry drop column rescan_total, drop column rescan_done;
drop trigger if exists audit_log_chain on audit_log;
drop function if exists audit_log_chain();
drop index if exists audit_log_seq_idx;
alter table audit_log drop column seq, drop column prev_hash, drop column hash;
`);
  }
}
