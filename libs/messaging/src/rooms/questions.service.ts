import { Injectable } from '@nestjs/common';
import { Db } from '../db/db.service';
import { Forbidden, InvalidRequest, NotFound, RoomEnded } from '../errors';
import { EventsService } from '../events/events.service';
import type { UserEvent } from '../events/event-types';
import { isUuid, newId } from '../ids';
import { RateLimitsService } from '../limits/rate-limits.service';
import { extractLinks } from '../links/link-extractor';
import { MAX_QUESTION_CHARS, refuseMedia, validateText } from '../messages/message-text';
import { scanJobFor } from '../links/link-scanner.service';
import type { OutboxJob } from '../queues';
import { OffsetCursor } from './offset-cursor';
import {
  QUESTION_ORDER_SQL,
  questionView,
  SETTABLE_QUESTION_STATUSES,
  type QuestionView,
  type SettableQuestionStatus,
} from './room-views';
import { isCurrentModerator, RoomsService } from './rooms.service';
import { RulesService } from '../rules/rules.service';
import { assertAccountMayWrite } from '../policy/standing';

export interface AskBody {
  text?: unknown;
  [key: string]: unknown;
}

/** The caller's standing in a room, with the room's state, in one read. */
interface Standing {
  status: 'live' | 'ended';
  my_role: 'moderator' | 'speaker' | 'listener' | null;
  my_present: boolean | null;
}

const hostOf = (url: string): string => new URL(url).hostname;

/**
 * Listener questions. Anyone who joined the room may ask while it is live; moderators see
 * every question, everyone else their own and the pinned ones. Links are stored `pending`
 * and scanned by the link-scan worker, exactly as for messages.
 */
@Injectable()
export class QuestionsService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly limits: RateLimitsService,
    private readonly rules: RulesService,
  ) {}

  async ask(authorId: string, roomId: string, body: AskBody): Promise<QuestionView> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequest('The body must be a JSON object.');
    refuseMedia(body);
    const text = validateText(body.text, MAX_QUESTION_CHARS);
    const urls = extractLinks(text);
    const id = newId();
    const jobs: OutboxJob[] = urls.length ? [scanJobFor('question', id)] : [];
    // Staff rules, scope `questions`: a live block throws here; flag (and hold) open a report once stored.
    const screening = await this.rules.screenQuestion(authorId, text, urls);

    const { row, outboxId } = await this.db.tx(async (q) => {
      // FOR SHARE: askers do not queue behind each other, but the room cannot end under them.
      const room = await RoomsService.lock(q, roomId, authorId, 'SHARE');
      if (room.my_role === null) throw new NotFound('No such room.');
      await assertAccountMayWrite(q, authorId); // the write policy: a restricted account asks nothing
      if (room.status !== 'live') throw new RoomEnded('The room has ended; questions are closed.');
      await this.limits.consume('questionsPerRoom', `${authorId}:${roomId}`);
      const [row] = await q.query(
        `WITH qn AS (
           INSERT INTO question (id, room_id, author_id, text, links) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING *),
         lo AS (
           INSERT INTO link_occurrence (url, host, question_id)
           SELECT l.url, l.host, qn.id FROM qn, jsonb_to_recordset($6::jsonb) AS l(url text, host text))
         SELECT qn.*,
                (SELECT coalesce(array_agg(m.user_id::text), '{}') FROM room_member m
                  WHERE m.room_id = qn.room_id AND m.role = 'moderator' AND m.present) AS moderators
           FROM qn`,
        [
          id,
          roomId,
          authorId,
          text,
          JSON.stringify(urls.map((url) => ({ url, verdict: 'pending' }))),
          JSON.stringify(urls.map((url) => ({ url, host: hostOf(url) }))),
        ],
      );
      const question = questionView(row);
      const events: UserEvent[] = (row.moderators as string[]).map((userId) => ({ userId, type: 'question.created', payload: { question } }));
      return { row, outboxId: await this.events.append(q, events, jobs) };
    });
    this.events.published(outboxId);
    if (screening) await this.rules.settle(screening, { questionId: id });
    return questionView({ ...row, upvoted_by_me: false });
  }

  /** Sorted by status (pinned, open, answered, dismissed), then upvotes, then age. */
  async list(userId: string, roomId: string, limit: number, cursor?: string): Promise<{ items: QuestionView[]; nextCursor: string | null }> {
    const offset = OffsetCursor.decode(cursor);
    const standing = await this.standing(userId, roomId);
    const everything = isCurrentModerator(standing);
    const rows = await this.db.query(
      `SELECT q.*, EXISTS (SELECT 1 FROM question_upvote u WHERE u.question_id = q.id AND u.user_id = $2) AS upvoted_by_me
         FROM question q
        WHERE q.room_id = $1 AND ($3::boolean OR q.author_id = $2 OR q.status = 'pinned')
        ORDER BY ${QUESTION_ORDER_SQL}
        LIMIT $4 OFFSET $5`,
      [roomId, userId, everything, limit + 1, offset],
    );
    return OffsetCursor.page(rows.map(questionView), offset, limit);
  }

  /**
   * One upvote per user: the insert and the count move together in one statement, and the
   * count only moves when the insert happened, so repeats and races count once.
   */
  async upvote(userId: string, roomId: string, questionId: string): Promise<QuestionView> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    if (!isUuid(questionId)) throw new NotFound('No such question.');
    const ctx = await this.db.one(
      `SELECT r.status, q.state AS question_state
         FROM room r
         JOIN room_member m ON m.room_id = r.id AND m.user_id = $2
         LEFT JOIN question q ON q.id = $3 AND q.room_id = r.id
                             AND ((m.role = 'moderator' AND m.present) OR q.author_id = $2 OR q.status = 'pinned')
        WHERE r.id = $1`,
      [roomId, userId, questionId],
    );
    if (!ctx) throw new NotFound('No such room.');
    if (!ctx.question_state) throw new NotFound('No such question.');
    if (ctx.status !== 'live') throw new RoomEnded('The room has ended; questions are closed.');
    if (ctx.question_state !== 'visible') throw new NotFound('No such question.');
    const [row] = await this.db.query(
      `WITH ins AS (
         INSERT INTO question_upvote (question_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING question_id)
       UPDATE question q SET upvotes = q.upvotes + 1 FROM ins WHERE q.id = ins.question_id RETURNING q.*`,
      [questionId, userId],
    );
    // No row: this user had already upvoted; the second is a no-op and answers the same way.
    const current = row ?? (await this.db.one('SELECT * FROM question WHERE id = $1', [questionId]));
    return questionView({ ...current, upvoted_by_me: true });
  }

  /**
   * Moderators set pinned | answered | dismissed. `question.updated` goes to the author and
   * the moderators, and for a pin to everyone present in the room (it becomes visible to all).
   */
  async setStatus(actorId: string, roomId: string, questionId: string, status: unknown): Promise<QuestionView> {
    if (typeof status !== 'string' || !(SETTABLE_QUESTION_STATUSES as readonly string[]).includes(status)) {
      throw new InvalidRequest('status must be pinned, answered or dismissed.', [{ field: 'status', problems: ['pinned | answered | dismissed'] }]);
    }
    const { row, outboxId } = await this.db.tx(async (q) => {
      const room = await RoomsService.lock(q, roomId, actorId, 'SHARE');
      if (room.my_role === null) throw new NotFound('No such room.');
      if (!isCurrentModerator(room)) throw new Forbidden('Only the room’s moderators can change a question’s status.');
      if (!isUuid(questionId)) throw new NotFound('No such question.');
      const [existing] = await q.query(
        `SELECT q.*, EXISTS (SELECT 1 FROM question_upvote u WHERE u.question_id = q.id AND u.user_id = $3) AS upvoted_by_me
           FROM question q WHERE q.id = $1 AND q.room_id = $2 FOR UPDATE OF q`,
        [questionId, roomId, actorId],
      );
      if (!existing) throw new NotFound('No such question.');
      if (room.status !== 'live') throw new RoomEnded('The room has ended; questions are closed.');
      if (existing.status === status) return { row: existing, outboxId: null };
      const [row] = await q.query(
        `UPDATE question q SET status = $2, updated_at = now() WHERE q.id = $1
         RETURNING q.*,
           (SELECT coalesce(array_agg(m.user_id::text), '{}') FROM room_member m
             WHERE m.room_id = q.room_id AND m.present AND (m.role = 'moderator' OR $2 = 'pinned')) AS audience`,
        [questionId, status as SettableQuestionStatus],
      );
      const question = questionView(row);
      row.upvoted_by_me = existing.upvoted_by_me;
      const recipients = [...new Set<string>([row.author_id, ...row.audience])].sort();
      const events: UserEvent[] = recipients.map((userId) => ({ userId, type: 'question.updated', payload: { question } }));
      return { row, outboxId: await this.events.append(q, events) };
    });
    this.events.published(outboxId);
    return questionView(row);
  }

  /** 404 unless the caller is or was in the room. */
  private async standing(userId: string, roomId: string): Promise<Standing> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    const row = await this.db.one<Standing>(
      `SELECT r.status, m.role AS my_role, m.present AS my_present
         FROM room r JOIN room_member m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1`,
      [roomId, userId],
    );
    if (!row) throw new NotFound('No such room.');
    return row;
  }
}
