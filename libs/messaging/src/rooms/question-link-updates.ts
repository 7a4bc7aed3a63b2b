import { Injectable } from '@nestjs/common';
import type { Queryable } from '../db/queryable';
import { EventsService } from '../events/events.service';
import type { QuestionLinkUpdates } from '../links/link-consequences';
import type { QuestionRow } from '../views/question-view';
import { questionViewOf } from '../views/question-view';
import { questionAudience } from './rooms.repository';

/** A scanned question's new links (or its removal) told to who hears of it; provided as QUESTION_LINK_UPDATES (links/link-consequences.ts). */
@Injectable()
export class RoomsQuestionLinkUpdates implements QuestionLinkUpdates {
  constructor(private readonly events: EventsService) {}

  async questionUpdated(q: Queryable, question: QuestionRow): Promise<string | null> {
    const view = questionViewOf(question);
    const audience = await questionAudience(q, question.roomId, question.status === 'pinned', question.authorId);
    return this.events.append(
      q,
      audience.map((userId) => ({ userId, type: 'question.updated' as const, payload: { question: view } })),
    );
  }
}
