import { Injectable } from '@nestjs/common';
import { Db } from '../db/db.service';
import { InvalidRequest, NotFound } from '../errors';
import { isUuid } from '../ids';
import { RateLimitsService } from '../limits/rate-limits.service';
import { KeysetCursor } from '../keyset-cursor';
import * as messages from './messages.repository';

export const SEARCH_MIN_CHARS = 2;
export const SEARCH_MAX_CHARS = 200;
/** A search's cost bound: each OR widens what is matched and ranked, each word is one more index scan. */
export const SEARCH_MAX_OR = 4;
export const SEARCH_MAX_WORDS = 12;

/**
 * Why a query is too costly to run, or null. Counted as websearch_to_tsquery reads it: `or`
 * (any case) between words is an alternative; a word is a run of letters or digits.
 */
export function searchCostProblem(q: string): string | null {
  const ors = q.split(/\s+/).filter((t) => t.toLowerCase() === 'or').length;
  if (ors > SEARCH_MAX_OR) return `at most ${SEARCH_MAX_OR} ORs`;
  const words = (q.match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.toLowerCase() !== 'or').length;
  if (words > SEARCH_MAX_WORDS) return `at most ${SEARCH_MAX_WORDS} words`;
  return null;
}

export interface SearchHit {
  conversationId: string;
  messageId: string;
  seq: number;
  senderId: string;
  snippet: string;
  createdAt: string;
}

/**
 * GET /v1/search (API.md, Messages v1.1). Each search ranks every matching message the
 * caller can read, so its cost is bounded twice: per query (searchCostProblem, 400) and
 * per user (LIMIT_SEARCH, 429 with Retry-After).
 */
@Injectable()
export class MessageSearchService {
  constructor(
    private readonly db: Db,
    private readonly limits: RateLimitsService,
  ) {}

  async search(
    userId: string,
    opts: { q: unknown; conversationId?: string; limit: number; cursor?: string },
  ): Promise<{ items: SearchHit[]; nextCursor: string | null }> {
    const q = typeof opts.q === 'string' ? opts.q.trim() : '';
    const length = [...q].length;
    if (length < SEARCH_MIN_CHARS || length > SEARCH_MAX_CHARS || /[\u0000-\u001F]/.test(q)) {
      throw new InvalidRequest(`q must be ${SEARCH_MIN_CHARS}-${SEARCH_MAX_CHARS} characters.`, [
        { field: 'q', problems: [`${SEARCH_MIN_CHARS}..${SEARCH_MAX_CHARS} characters`] },
      ]);
    }
    const costly = searchCostProblem(q);
    if (costly) throw new InvalidRequest(`q may have ${costly}.`, [{ field: 'q', problems: [costly] }]);
    const conversationId = opts.conversationId ?? null;
    if (conversationId !== null) {
      if (!isUuid(conversationId))
        throw new InvalidRequest('conversationId must be a conversation id.', [{ field: 'conversationId', problems: ['uuid'] }]);
      // One conversation: only where I am active; anyone else is told nothing exists.
      if (!(await messages.isActiveMember(this.db, conversationId, userId))) throw new NotFound();
    }
    // (rank, id) of the last hit seen; the rank is bound as a real (float4), which KeysetCursor checks.
    const [afterRank, afterId] = opts.cursor === undefined ? [null, null] : KeysetCursor.decode(opts.cursor, ['real', 'uuid']);
    await this.limits.consume('searchPerUser', userId);
    const rows = await messages.searchMessages(this.db, { userId, q, conversationId, afterRank, afterId, limit: opts.limit + 1 });
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        conversationId: r.conversationId,
        messageId: r.id,
        seq: r.seq,
        senderId: r.senderId,
        snippet: r.snippet,
        createdAt: r.createdAt.toISOString(),
      })),
      nextCursor: rows.length > opts.limit ? KeysetCursor.encode([last.rank, last.id]) : null,
    };
  }
}
