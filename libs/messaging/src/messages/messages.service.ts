import { Injectable } from '@nestjs/common';
import { parse as parseDomain } from 'tldts';
import { Db, PG_UNIQUE_VIOLATION, type Queryable } from '../db/db.service';
import { Forbidden, InvalidRequest, NotFound, RateLimited, ReplyTargetNotFound } from '../errors';
import { isUuid, newId } from '../ids';
import { RateLimitsService } from '../limits/rate-limits.service';
import { EventsService, eventInsertCtes } from '../events/events.service';
import { JobName, sendScanJobId, type OutboxJob } from '../queues';
import { extractLinks } from '../links/link-extractor';
import { BlocklistService } from '../links/blocklist.service';
import { classifyUrl } from '../links/link-rules';
import { MAX_REQUEST_MESSAGES, creatorCappedSql } from '../policy/request-cap';
import { ConversationsService, scoreSenderJob } from '../conversations/conversations.service';
import { RulesService } from '../rules/rules.service';
import { REPLY_QUOTE_SQL, forViewer, messageView, type MessageView } from './message-view';
import { MESSAGE_AUDIENCE_SQL, memberReadsMessageSql } from '../policy/visibility';
import { MAX_MESSAGE_CHARS, refuseMedia, validateClientId, validateText } from './message-text';
import { assertMayWrite, directBlockSql, writeCheckColumns } from '../policy/write-policy';
import { restrictedSql } from '../policy/standing';

export interface SendBody {
  clientId?: unknown;
  text?: unknown;
  replyTo?: unknown;
  [key: string]: unknown;
}

/**
 * The send, as ONE statement: check the sender may send (an active member who may write here,
 * policy/write-policy.ts: not restricted, no block across a direct conversation), bump the
 * conversation's seq (the row lock orders concurrent sends and a rolled-back send burns no
 * number), apply the pending-request cap on that locked row itself, insert the message and
 * its link occurrences (a link whose verdict is cached and fresh is settled here, from the
 * `link` cache; only a message with a link left pending writes the scan job), give every active or pending member who may
 * read it (policy/visibility.ts: not one who blocks the sender; a pending one only the
 * first three, and not while a link awaits its verdict: `link_hold`) a message.created
 * event with its own cursor, and write an outbox row only for jobs (the scan of a pending
 * link, spam scoring). The events are pushed by this process from the returned
 * `recipients` (publishSend): no outbox copy of them is written and deleted.
 * No row back means a rule refused it: the slow path (CONTEXT_SQL) then says which.
 * A repeated clientId trips the unique index and rolls the whole statement back.
 */
export const SEND_SQL = `
WITH sender AS (
  SELECT 1 FROM conversation_member me JOIN app_user u ON u.id = me.user_id
   WHERE me.conversation_id = $1 AND me.user_id = $2 AND me.state = 'active'
     AND NOT ${restrictedSql('u')}),
capped AS (
  SELECT ${creatorCappedSql('c', '$2')} AS v
    FROM conversation c WHERE c.id = $1),
conv AS (
  UPDATE conversation c SET last_seq = c.last_seq + 1, last_activity_at = now(),
         request_msgs = c.request_msgs + (CASE WHEN capped.v THEN 1 ELSE 0 END)
    FROM capped
   WHERE c.id = $1 AND EXISTS (SELECT 1 FROM sender)
     AND (NOT capped.v OR c.request_msgs < ${MAX_REQUEST_MESSAGES})
     AND NOT ${directBlockSql('c', '$2')}
   RETURNING c.last_seq, capped.v AS capped),
lk AS (
  SELECT x.ord, x.url, x.host, l.verdict, l.reason
    FROM jsonb_to_recordset($6::jsonb) AS x(ord int, url text, host text, scan boolean)
    LEFT JOIN link l ON l.url = x.url AND NOT x.scan AND l.verdict IN ('safe', 'suspicious') AND (l.overridden OR l.expires_at > now())),
msg AS (
  -- link_hold: a link still awaits its verdict, so pending members do not read it yet (HeldLinks).
  INSERT INTO message (id, conversation_id, seq, sender_id, client_id, text, links, link_hold, reply_to_seq, reply_to_sender_id, state)
  SELECT $3, $1, conv.last_seq, $2, $4, $5,
         coalesce((SELECT jsonb_agg(CASE WHEN lk.verdict IS NULL THEN jsonb_build_object('url', lk.url, 'verdict', 'pending')
                                         WHEN lk.reason IS NULL THEN jsonb_build_object('url', lk.url, 'verdict', lk.verdict)
                                         ELSE jsonb_build_object('url', lk.url, 'verdict', lk.verdict, 'reason', lk.reason) END ORDER BY lk.ord)
                     FROM lk), '[]'::jsonb),
         -- held only where it matters: a link awaits its verdict and someone is still pending
         -- (a member added later reads only what comes after their add)
         EXISTS (SELECT 1 FROM lk WHERE lk.verdict IS NULL)
           AND EXISTS (SELECT 1 FROM conversation_member p WHERE p.conversation_id = $1 AND p.state = 'pending'),
         $9::bigint, $10::uuid, -- replyTo: checked before the send (MessagesService.replyTarget)
         -- held by a live staff rule (RulesService.screenMessage, decided before this statement): its sender alone reads it
         CASE WHEN $11::boolean THEN 'held' ELSE 'visible' END
    FROM conv
  RETURNING *),
lo AS (
  INSERT INTO link_occurrence (url, host, message_id, scanned_at)
  SELECT lk.url, lk.host, msg.id, CASE WHEN lk.verdict IS NULL THEN NULL ELSE now() END FROM msg, lk
  RETURNING 1),
seen AS (
  INSERT INTO link_sighting (url) SELECT lk.url FROM msg, lk WHERE lk.verdict IS NOT NULL
  RETURNING 1),
ev_input AS (
  SELECT (row_number() OVER ())::int AS ord, m.user_id, 'message.created'::text AS type, '{}'::jsonb AS payload, msg.id AS message_id
    FROM conversation_member m, msg
   -- the sender, active members and pending ones (the request preview) who may read it
   WHERE m.conversation_id = $1 AND ${memberReadsMessageSql('m', 'msg')}),
${eventInsertCtes(
  'ev_input',
  `(CASE WHEN EXISTS (SELECT 1 FROM msg)
         THEN (CASE WHEN EXISTS (SELECT 1 FROM lk WHERE lk.verdict IS NULL) THEN $7::jsonb ELSE '[]'::jsonb END)
           || (CASE WHEN (SELECT capped FROM conv) THEN $8::jsonb ELSE '[]'::jsonb END)
         ELSE '[]'::jsonb END)`,
  { outboxEvents: false },
)}
SELECT msg.*, (SELECT id FROM ev_outbox) AS outbox_id,
       (SELECT json_agg(json_build_array(user_id, cursor::text)) FROM ev_ins) AS recipients, ${REPLY_QUOTE_SQL('msg')}
  FROM msg`;

export interface SendParams {
  conversationId: string;
  senderId: string;
  id: string;
  clientId: string;
  text: string;
  /**
   * The message's links in order. A link whose verdict is cached and fresh (safe or
   * suspicious, not matched by the blocklist: `scan` false) is settled inside the send;
   * the others are stored `pending` and make the scan job.
   */
  linkRows: Array<{ url: string; host: string; scan?: boolean }>;
  /** Enqueued with the message only when one of its links is left pending (the link scan). */
  jobs: OutboxJob[];
  /** Enqueued only when the send counted against a pending request (spam scoring). */
  requestJobs: OutboxJob[];
  /** Unused (links are built in SQL from linkRows); accepted so older callers still type-check. */
  links?: unknown;
  /** The quoted message (v1.1 replies), already checked to be one the sender can see. */
  replyTo?: { seq: number; senderId: string } | null;
  /** Store it `held` (a live staff rule with action hold): only its sender reads it until staff approve. */
  held?: boolean;
}

/** SEND_SQL's parameters in order (the benchmark's floor uses this too). */
export const sendParams = (p: SendParams): unknown[] => [
  p.conversationId, p.senderId, p.id, p.clientId, p.text,
  JSON.stringify(p.linkRows.map((l, ord) => ({ ord, url: l.url, host: l.host, scan: l.scan ?? false }))),
  JSON.stringify(p.jobs), JSON.stringify(p.requestJobs),
  p.replyTo?.seq ?? null, p.replyTo?.senderId ?? null, p.held ?? false,
];

/** A page of what the viewer ($2) may read, by seq. */
const LIST_AFTER_SQL = `
SELECT x.*, ${REPLY_QUOTE_SQL('x')} FROM message x JOIN conversation_member me ON me.conversation_id = x.conversation_id AND me.user_id = $2
 WHERE x.conversation_id = $1 AND x.seq > $3 AND ($4::bigint IS NULL OR x.seq < $4) AND ${memberReadsMessageSql('me', 'x')}
 ORDER BY x.seq LIMIT $5`;
const LIST_BEFORE_SQL = `
SELECT x.*, ${REPLY_QUOTE_SQL('x')} FROM message x JOIN conversation_member me ON me.conversation_id = x.conversation_id AND me.user_id = $2
 WHERE x.conversation_id = $1 AND x.seq < $3 AND ${memberReadsMessageSql('me', 'x')}
 ORDER BY x.seq DESC LIMIT $4`;

/** Why a send was refused, and whether this clientId was already stored (the slow path). */
export const CONTEXT_SQL = `
SELECT c.kind, c.creator_id, me.state AS my_state, ${writeCheckColumns('u', 'c', '$2', { send: true })},
       (SELECT row_to_json(y) FROM (SELECT x.*, ${REPLY_QUOTE_SQL('x')} FROM message x
          WHERE x.conversation_id = c.id AND x.sender_id = $2 AND x.client_id = $3) y) AS existing
  FROM conversation c
  JOIN conversation_member me ON me.conversation_id = c.id AND me.user_id = $2
  JOIN app_user u ON u.id = $2
 WHERE c.id = $1`;

/**
 * The message a reply quotes ($3: its seq), if the sender ($2) can see it in conversation $1
 * (policy/visibility.ts), with the sender's membership and the write check (policy/write-policy.ts),
 * so a reply is refused for the same reasons, in the same order, as any send.
 */
const REPLY_TARGET_SQL = `
SELECT me.state AS my_state, ${writeCheckColumns('u', 'c', '$2')},
       (SELECT x.sender_id FROM message x
         WHERE x.conversation_id = $1 AND x.seq = $3 AND x.state = 'visible' AND ${memberReadsMessageSql('me', 'x')}) AS target_sender_id
  FROM conversation c
  JOIN conversation_member me ON me.conversation_id = c.id AND me.user_id = $2
  JOIN app_user u ON u.id = $2
 WHERE c.id = $1`;

@Injectable()
export class MessagesService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly limits: RateLimitsService,
    private readonly conversations: ConversationsService,
    private readonly blocklist: BlocklistService,
    private readonly rules: RulesService,
  ) {}

  messageView(row: any): MessageView {
    return messageView(row);
  }

  /**
   * Same service for REST and socket (STYLE.md, convention 1). created=false: an idempotent
   * replay. The common case is one statement; a refused or replying-to-a-request send takes
   * the slow path, which reads the context to say why or to accept the request first.
   */
  async send(senderId: string, conversationId: string, body: SendBody): Promise<{ message: MessageView; created: boolean }> {
    const { message, created } = await this.sendStored(senderId, conversationId, body);
    return { message: forViewer(message, senderId), created };
  }

  private async sendStored(senderId: string, conversationId: string, body: SendBody): Promise<{ message: MessageView; created: boolean }> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequest('The body must be a JSON object.');
    refuseMedia(body);
    const clientId = validateClientId(body.clientId);
    const text = validateText(body.text, MAX_MESSAGE_CHARS);
    const replySeq = parseReplyTo(body.replyTo);
    if (!isUuid(conversationId)) throw new NotFound();

    try {
      await this.limits.spendSendBudget(senderId);
    } catch (err) {
      // A retry of a message that was stored is answered even when the budget is spent.
      if (err instanceof RateLimited) {
        const existing = await this.findByClientId(conversationId, senderId, clientId);
        if (existing) return { message: messageView(existing), created: false };
      }
      throw err;
    }

    // Only a reply pays for this read (one indexed row); the send itself stays one statement.
    const replyTo = replySeq === null ? null : await this.replyTarget(senderId, conversationId, clientId, replySeq);
    if (replyTo && 'message' in replyTo) return replyTo;

    const urls = extractLinks(text);
    const id = newId();
    // Staff rules: null unless a rule matched (no rules: no work); a live block throws here, before anything is stored.
    const screening = await this.rules.screenMessage(senderId, conversationId, text, urls);
    // The blocklist (in memory) has the last word over a cached verdict: a match is scanned (and removed) by the job.
    const blocklist = urls.length ? await this.blocklist.current() : [];
    const params = sendParams({
      conversationId,
      senderId,
      id,
      clientId,
      text,
      linkRows: urls.map((url) => ({ url, host: hostOf(url), scan: blocklist.length > 0 && classifyUrl(url, { blocklist }).verdict === 'malicious' })),
      jobs: urls.length ? [{ name: JobName.ScanMessage, data: { messageId: id }, jobId: sendScanJobId(id) }] : [],
      requestJobs: [scoreSenderJob(senderId)],
      replyTo,
      held: screening?.held,
    });
    try {
      const [row] = await this.withDeadlockRetry(() => this.db.prepared('message_send', SEND_SQL, params));
      const result = row ? { message: this.publishSend(row), created: true } : await this.sendSlowPath(senderId, conversationId, clientId, params);
      if (screening && result.created) await this.rules.settle(screening, { messageId: result.message.id });
      return result;
    } catch (err: any) {
      if (err?.code === PG_UNIQUE_VIOLATION) {
        // The same clientId raced in from another request or process: return the winner.
        const existing = await this.findByClientId(conversationId, senderId, clientId);
        if (existing) return { message: messageView(existing), created: false };
      }
      throw err;
    }
  }

  /** After the send committed: push message.created to its recipients, hand its jobs (if any) to the outbox relay. */
  private publishSend(row: any): MessageView {
    const view = messageView(row);
    this.events.push('message.created', row.recipients, { message: view });
    this.events.published(row.outbox_id);
    return view;
  }

  private findByClientId(conversationId: string, senderId: string, clientId: string) {
    return this.db.one(`SELECT x.*, ${REPLY_QUOTE_SQL('x')} FROM message x WHERE x.conversation_id = $1 AND x.sender_id = $2 AND x.client_id = $3`, [conversationId, senderId, clientId]);
  }

  /**
   * replyTo (v1.1): the seq of a visible message of this conversation that the sender can see,
   * else 422 reply_target_not_found (a non-member still gets 404; a retry of a stored clientId
   * is answered with its message even if the target was removed since).
   */
  private async replyTarget(senderId: string, conversationId: string, clientId: string, seq: number): Promise<{ seq: number; senderId: string } | { message: MessageView; created: false }> {
    const [row] = await this.db.prepared('message_reply_target', REPLY_TARGET_SQL, [conversationId, senderId, seq]);
    if (!row || (row.my_state !== 'active' && row.my_state !== 'pending')) throw new NotFound();
    if (row.target_sender_id) return { seq, senderId: row.target_sender_id };
    const existing = await this.findByClientId(conversationId, senderId, clientId);
    if (existing) return { message: messageView(existing), created: false };
    // A writer who may not write here is told so, not that the target is missing (a blocker cannot see the blocked one's messages).
    assertMayWrite(row);
    throw new ReplyTargetNotFound();
  }

  private async sendSlowPath(senderId: string, conversationId: string, clientId: string, params: unknown[]): Promise<{ message: MessageView; created: boolean }> {
    const [ctx] = await this.db.prepared('message_send_context', CONTEXT_SQL, [conversationId, senderId, clientId]);
    if (!ctx || (ctx.my_state !== 'active' && ctx.my_state !== 'pending')) throw new NotFound();
    if (ctx.existing) return { message: messageView(ctx.existing), created: false };
    assertMayWrite(ctx);
    if (ctx.my_state === 'pending') {
      // A pending recipient who replies has accepted: activation and send commit together.
      const { row, extraOutbox } = await this.db.tx(async (q) => {
        await this.conversations.activate(q, conversationId, senderId);
        const [r] = await q.prepared('message_send', SEND_SQL, params);
        const active = (await q.query(`SELECT user_id FROM conversation_member WHERE conversation_id = $1 AND state = 'active'`, [conversationId])).map((x) => x.user_id);
        return { row: r, extraOutbox: r ? await this.events.append(q, await this.conversations.eventsFor(q, conversationId, active)) : null };
      });
      if (!row) throw new NotFound();
      this.events.published(extraOutbox);
      return { message: this.publishSend(row), created: true };
    }
    // The context changed between the two reads (e.g. the request was just accepted): once more.
    const [row] = await this.db.prepared('message_send', SEND_SQL, params);
    if (!row) throw new NotFound();
    return { message: this.publishSend(row), created: true };
  }

  private async withDeadlockRetry<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await fn();
      } catch (err: any) {
        if (i >= attempts || (err?.code !== '40P01' && err?.code !== '40001')) throw err;
      }
    }
  }

  /** Messages by seq that the viewer may read (policy/visibility.ts): after `afterSeq` ascending, or the page right before `beforeSeq`. */
  async list(viewerId: string, conversationId: string, opts: { afterSeq?: number; beforeSeq?: number; limit: number }): Promise<{ items: MessageView[]; nextCursor: string | null }> {
    await this.conversations.view(conversationId, viewerId);
    const { afterSeq, beforeSeq, limit } = opts;
    let rows: any[];
    if (afterSeq === undefined && beforeSeq !== undefined) {
      rows = (await this.db.replica.prepared('message_list_before', LIST_BEFORE_SQL, [conversationId, viewerId, beforeSeq, limit + 1])).reverse();
      const hasMore = rows.length > limit;
      const page = hasMore ? rows.slice(1) : rows;
      return { items: page.map((r) => forViewer(messageView(r), viewerId)), nextCursor: hasMore ? `b${page[0].seq}` : null };
    }
    rows = await this.db.replica.prepared('message_list_after', LIST_AFTER_SQL, [conversationId, viewerId, afterSeq ?? 0, beforeSeq ?? null, limit + 1]);
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    return { items: page.map((r) => forViewer(messageView(r), viewerId)), nextCursor: hasMore ? String(page[page.length - 1].seq) : null };
  }

  /** Unsend: own messages only; text and links are gone for every reader, the seq stays. */
  async unsend(userId: string, conversationId: string, messageId: string): Promise<MessageView> {
    await this.conversations.view(conversationId, userId);
    if (!isUuid(messageId)) throw new NotFound('No such message.');
    const row = await this.db.one('SELECT sender_id, state FROM message WHERE id = $1 AND conversation_id = $2', [messageId, conversationId]);
    if (!row) throw new NotFound('No such message.');
    if (row.sender_id !== userId) throw new Forbidden('You can only unsend your own messages.');
    const { view } = await this.removeWith(messageId, 'unsent');
    return forViewer(view, userId);
  }

  /** Removal for everyone by staff or the link scanner. */
  async remove(messageId: string, reason: 'malicious_link' | 'moderation' | string, q?: Queryable): Promise<MessageView | null> {
    if (!isUuid(messageId)) return null;
    if (q) return (await this.removeIn(q, messageId, reason)).view;
    return (await this.removeWith(messageId, reason)).view;
  }

  private async removeWith(messageId: string, reason: string) {
    const res = await this.db.tx((q) => this.removeIn(q, messageId, reason));
    this.events.published(res.outboxId);
    return res;
  }

  /**
   * Inside a transaction: removes the message for every end user and writes message.updated
   * to those who had message.created (MESSAGE_AUDIENCE_SQL; a message still held for pending
   * members stays held, so they never hear of it); the caller publishes. The text and links move, in the same
   * statement, to `message_retained`, a staff-only copy that a report freezes as evidence
   * (kept UNSENT_RETENTION_DAYS, whatever the reason: unsent, malicious_link, moderation).
   * The row lock taken here is what a report's FOR SHARE waits on (ReportsService.file), so
   * a racing report freezes either the original text or the retained copy, never nothing.
   * Earlier events of the message reference it (event.message_id) and sync renders its
   * current row, so a sync from an old cursor does not replay the text either.
   */
  async removeIn(q: Queryable, messageId: string, reason: string): Promise<{ view: any; outboxId: string | null }> {
    const [row] = await q.query(
      `WITH old AS (SELECT id, text, links FROM message WHERE id = $1 AND state IN ('visible', 'held') FOR UPDATE),
       removed AS (
         UPDATE message m SET state = 'removed', removed_reason = $2, text = NULL, links = '[]'::jsonb, updated_at = now()
           FROM old WHERE m.id = old.id RETURNING m.*),
       kept AS (
         INSERT INTO message_retained (message_id, text, links, reason)
         SELECT old.id, old.text, old.links, $2 FROM old, removed
         ON CONFLICT (message_id) DO NOTHING)
       SELECT removed.*, ${REPLY_QUOTE_SQL('removed')} FROM removed`,
      [messageId, reason],
    );
    if (!row) {
      // Already removed (or unknown): idempotent, no second event.
      const [current] = await q.query(`SELECT x.*, ${REPLY_QUOTE_SQL('x')} FROM message x WHERE x.id = $1`, [messageId]);
      return { view: current ? messageView(current) : null, outboxId: null };
    }
    const view = messageView(row);
    const recipients = (await q.query(MESSAGE_AUDIENCE_SQL, [row.id])).map((r) => r.user_id);
    const outboxId = await this.events.append(q, recipients.map((userId) => ({ userId, type: 'message.updated' as const, payload: { message: view } })));
    return { view, outboxId };
  }
}

/** replyTo: absent or null (not a reply), else a seq. */
function parseReplyTo(raw: unknown): number | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 1) {
    throw new InvalidRequest('replyTo must be the seq (an integer of at least 1) of the message you reply to.', [{ field: 'replyTo', problems: ['integer >= 1'] }]);
  }
  return raw;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return parseDomain(url).hostname ?? '';
  }
}
