import { Injectable } from '@nestjs/common';
import { Db } from '../db/db.service';
import { InvalidRequest, NotFound } from '../errors';
import { isUuid } from '../ids';
import { RateLimitsService } from '../limits/rate-limits.service';
import { KeysetCursor } from '../keyset-cursor';
import { memberSeesMessageSql } from '../policy/visibility';

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

/**
 * Full-text search over what the caller ($1) may read: conversations where they are `active`
 * (optionally one, $3), visible messages only (removed and held ones are not `visible`), and
 * per message the same predicate as every reader (policy/visibility.ts: history from when
 * they joined, never a sender they block). `simple` configuration: messages come in any
 * language, so words are matched as written (lower-cased), with no language's stemming.
 * The conversation ids are an array (an init plan): the planner ANDs the GIN index on
 * `search_tsv` (the words) with a conversation_id index (mine), or uses the latter alone
 * when the words are common. Ranking reads the stored tsvector (nothing parsed again).
 * Keyset pagination on (rank, id): $4/$5.
 * Planned for each search, NOT prepared: with the words known, PostgreSQL estimates from the
 * column's word statistics and picks per query (the words' GIN bitmap ANDed with my
 * conversations for rare words, my conversations filtered for very common ones). A generic
 * prepared plan cannot tell the two apart and made every search read all my messages.
 * Snippets (ts_headline re-parses the text) are made for the page's rows only.
 */
export const SEARCH_SQL = `
WITH mine AS (
  SELECT m.conversation_id, m.user_id, m.state, m.visible_from_seq FROM conversation_member m
   WHERE m.user_id = $1 AND m.state = 'active' AND ($3::uuid IS NULL OR m.conversation_id = $3)),
hits AS (
  SELECT x.id, x.conversation_id, x.seq, x.sender_id, x.created_at, x.text,
         ts_rank(x.search_tsv, websearch_to_tsquery('simple', $2)) AS rank
    FROM message x JOIN mine me ON me.conversation_id = x.conversation_id
   WHERE x.conversation_id = ANY (ARRAY(SELECT conversation_id FROM mine))
     AND x.state = 'visible' AND x.search_tsv @@ websearch_to_tsquery('simple', $2)
     AND ${memberSeesMessageSql('me', 'x')}
     AND ($4::real IS NULL OR ts_rank(x.search_tsv, websearch_to_tsquery('simple', $2)) < $4::real
          OR (ts_rank(x.search_tsv, websearch_to_tsquery('simple', $2)) = $4::real AND x.id > $5::uuid))
   ORDER BY rank DESC, x.id
   LIMIT $6)
SELECT hits.id, hits.conversation_id, hits.seq, hits.sender_id, hits.created_at, hits.rank,
       ts_headline('simple', hits.text, websearch_to_tsquery('simple', $2),
                   'StartSel="", StopSel="", MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=" … "') AS snippet
  FROM hits ORDER BY hits.rank DESC, hits.id`;

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

  async search(userId: string, opts: { q: unknown; conversationId?: string; limit: number; cursor?: string }): Promise<{ items: SearchHit[]; nextCursor: string | null }> {
    const q = typeof opts.q === 'string' ? opts.q.trim() : '';
    const length = [...q].length;
    if (length < SEARCH_MIN_CHARS || length > SEARCH_MAX_CHARS || /[\u0000-\u001F]/.test(q)) {
      throw new InvalidRequest(`q must be ${SEARCH_MIN_CHARS}-${SEARCH_MAX_CHARS} characters.`, [{ field: 'q', problems: [`${SEARCH_MIN_CHARS}..${SEARCH_MAX_CHARS} characters`] }]);
    }
    const costly = searchCostProblem(q);
    if (costly) throw new InvalidRequest(`q may have ${costly}.`, [{ field: 'q', problems: [costly] }]);
    const conversationId = opts.conversationId ?? null;
    if (conversationId !== null) {
      if (!isUuid(conversationId)) throw new InvalidRequest('conversationId must be a conversation id.', [{ field: 'conversationId', problems: ['uuid'] }]);
      // One conversation: only where I am active; anyone else is told nothing exists.
      const member = await this.db.one(`SELECT 1 FROM conversation_member WHERE conversation_id = $1 AND user_id = $2 AND state = 'active'`, [conversationId, userId]);
      if (!member) throw new NotFound();
    }
    // (rank, id) of the last hit seen; the rank is bound as a real (float4), which KeysetCursor checks.
    const [afterRank, afterId] = opts.cursor === undefined ? [null, null] : KeysetCursor.decode(opts.cursor, ['real', 'uuid']);
    await this.limits.consume('searchPerUser', userId);
    const rows = await this.db.query(SEARCH_SQL, [userId, q, conversationId, afterRank, afterId, opts.limit + 1]);
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        conversationId: r.conversation_id,
        messageId: r.id,
        seq: Number(r.seq),
        senderId: r.sender_id,
        snippet: r.snippet,
        createdAt: new Date(r.created_at).toISOString(),
      })),
      nextCursor: rows.length > opts.limit ? KeysetCursor.encode([last.rank, last.id]) : null,
    };
  }
}
