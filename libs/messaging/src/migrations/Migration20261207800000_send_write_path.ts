import { Migration } from '@mikro-orm/migrations';

/**
 * What a send writes (issue #28, docs/BENCHMARKS.md "What a send costs"):
 *
 * - `link_occurrence_question_idx` only holds occurrences of a question (`question_id` set):
 *   every message's link occurrence (written by the link backlog's batches, one per link of
 *   every send with a link, cached or not) carried a NULL entry in it that no query reads
 *   (questions are looked up by `question_id = $1`). One index insertion and one WAL record
 *   fewer per link.
 * - `conversation` keeps a fifth of each page free (fillfactor 80): every send updates its
 *   conversation's row (last_seq, last_activity_at; neither indexed), and a page with room
 *   keeps that update HOT (no new index entries) instead of moving the row to another page.
 *   It applies to pages written from now on; existing rows move as they are updated.
 */
export class Migration20261207800000_send_write_path extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
drop index if exists link_occurrence_question_idx;
create index link_occurrence_question_idx on link_occurrence (question_id) where question_id is not null;
alter table conversation set (fillfactor = 80);
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop index if exists link_occurrence_question_idx;
create index link_occurrence_question_idx on link_occurrence (question_id);
alter table conversation reset (fillfactor);
`);
  }
}
