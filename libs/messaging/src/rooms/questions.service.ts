import { Injectable } from '@nestjs/common';
import { Db } from '../db/db.service';
import { Forbidden, InvalidRequest, NotFound } from '../errors';
import { assertRoomLive } from './room-status';
import { EventsService } from '../events/events.service';
import type { UserEvent } from '../events/event-types';
import { isUuid, newId } from '../ids';
import { RateLimitsService } from '../limits/rate-limits.service';
import { extractLinks } from '../links/link-extractor';
import { MAX_QUESTION_CHARS, refuseMedia, validateText } from '../messages/message-text';
import { scanJobFor } from '../links/link-scanner.service';
import type { OutboxJob } from '../queues';
import { OffsetCursor } from './offset-cursor';
import { SETTABLE_QUESTION_STATUSES, type SettableQuestionStatus } from './room-views';
import { questionViewOf, type QuestionView } from '../views/question-view';
import { isCurrentModerator, RoomsService } from './rooms.service';
import * as repo from './rooms.repository';
import type { RoomStanding } from './rows';
import { RulesService } from '../rules/rules.service';
import { assertAccountMayWrite } from '../policy/standing';

export interface AskBody {
  text?: unknown;
  [key: string]: unknown;
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
      if (room.myRole === null) throw new NotFound('No such room.');
      await assertAccountMayWrite(q, authorId); // the write policy: a restricted account asks nothing
      assertRoomLive(room.status, 'The room has ended; questions are closed.');
      await this.limits.consume('questionsPerRoom', `${authorId}:${roomId}`);
      const { question: row, moderators } = await repo.insertQuestion(q, {
        id,
        roomId,
        authorId,
        text,
        links: JSON.stringify(urls.map((url) => ({ url, verdict: 'pending' }))),
        occurrences: JSON.stringify(urls.map((url) => ({ url, host: hostOf(url) }))),
      });
      const question = questionViewOf(row);
      const events: UserEvent[] = moderators.map((userId) => ({ userId, type: 'question.created', payload: { question } }));
      return { row, outboxId: await this.events.append(q, events, jobs) };
    });
    this.events.published(outboxId);
    if (screening) await this.rules.settle(screening, { questionId: id });
    return questionViewOf({ ...row, upvotedByMe: false });
  }

  /** Sorted by status (pinned, open, answered, dismissed), then upvotes, then age. */
  async list(
    userId: string,
    roomId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: QuestionView[]; nextCursor: string | null }> {
    const offset = OffsetCursor.decode(cursor);
    const standing = await this.standing(userId, roomId);
    if (standing.status === 'scheduled') assertRoomLive(standing.status);
    const everything = isCurrentModerator(standing);
    const rows = await repo.questions(this.db, roomId, userId, everything, limit + 1, offset);
    return OffsetCursor.page(rows.map(questionViewOf), offset, limit);
  }

  /**
   * One upvote per user: the insert and the count move together in one statement, and the
   * count only moves when the insert happened, so repeats and races count once.
   */
  async upvote(userId: string, roomId: string, questionId: string): Promise<QuestionView> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    if (!isUuid(questionId)) throw new NotFound('No such question.');
    const ctx = await repo.upvoteContext(this.db, roomId, userId, questionId);
    if (!ctx) throw new NotFound('No such room.');
    if (!ctx.questionState) throw new NotFound('No such question.');
    assertRoomLive(ctx.status, 'The room has ended; questions are closed.');
    if (ctx.questionState !== 'visible') throw new NotFound('No such question.');
    const row = await repo.upvote(this.db, questionId, userId);
    // No row: this user had already upvoted; the second is a no-op and answers the same way.
    // (The question exists: the context above found it, and questions are never deleted.)
    const current = row ?? (await repo.question(this.db, questionId))!;
    return questionViewOf({ ...current, upvotedByMe: true });
  }

  /**
   * Moderators set pinned | answered | dismissed. `question.updated` goes to the author and
   * the moderators, and for a pin to everyone present in the room (it becomes visible to all).
   */
  async setStatus(actorId: string, roomId: string, questionId: string, status: unknown): Promise<QuestionView> {
    if (typeof status !== 'string' || !(SETTABLE_QUESTION_STATUSES as readonly string[]).includes(status)) {
      throw new InvalidRequest('status must be pinned, answered or dismissed.', [
        { field: 'status', problems: ['pinned | answered | dismissed'] },
      ]);
    }
    const { row, outboxId } = await this.db.tx(async (q) => {
      const room = await RoomsService.lock(q, roomId, actorId, 'SHARE');
      if (room.myRole === null) throw new NotFound('No such room.');
      if (!isCurrentModerator(room)) throw new Forbidden('Only the room’s moderators can change a question’s status.');
      if (!isUuid(questionId)) throw new NotFound('No such question.');
      const existing = await repo.lockQuestion(q, questionId, roomId, actorId);
      if (!existing) throw new NotFound('No such question.');
      assertRoomLive(room.status, 'The room has ended; questions are closed.');
      if (existing.status === status) return { row: existing, outboxId: null };
      const { question: updated, audience } = await repo.setQuestionStatus(q, questionId, status as SettableQuestionStatus);
      const question = questionViewOf(updated);
      const row = { ...updated, upvotedByMe: existing.upvotedByMe };
      const recipients = [...new Set<string>([row.authorId, ...audience])].sort();
      const events: UserEvent[] = recipients.map((userId) => ({ userId, type: 'question.updated', payload: { question } }));
      return { row, outboxId: await this.events.append(q, events) };
    });
    this.events.published(outboxId);
    return questionViewOf(row);
  }

  /** 404 unless the caller is or was in the room. */
  private async standing(userId: string, roomId: string): Promise<RoomStanding> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    const row = await repo.standing(this.db, roomId, userId);
    if (!row) throw new NotFound('No such room.');
    return row;
  }
}
