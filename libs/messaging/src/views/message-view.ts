import { memberSeesMessageSql } from '../policy/visibility';

export interface LinkView {
  url: string;
  verdict: 'pending' | 'safe' | 'suspicious' | 'malicious';
  /** `suspicious`/`malicious`: the code of what flagged it; `safe`: a sentence naming the sources consulted (links/link-sources.ts). */
  reason?: string | null;
  /** The sources consulted for the verdict (`blocklist`, `heuristics`, `feed:<format>`, `provider:<name>`, `staff`); absent while pending. */
  sources?: string[];
}

/** What a reply quotes: text null once the quoted message is removed, or when the reader may not read it. */
export interface ReplyView {
  seq: number;
  senderId: string;
  text: string | null;
}

export interface ReactionView {
  emoji: string;
  count: number;
  me: boolean;
}

export interface MessageView {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  clientId: string;
  text: string | null;
  links: LinkView[];
  /** `held`: stopped by a staff rule, read by its sender only until staff decide. */
  state: 'visible' | 'removed' | 'held';
  removedReason?: string;
  createdAt: string;
  editedAt: string | null;
  replyTo: ReplyView | null;
  reactions: ReactionView[];
}

/**
 * A message as built from its row, before it is shown to one reader: the reactions still say
 * who reacted (`by`) and the quote says who may read it (`readers`). `forViewer` turns it into
 * the contract's Message for one user; every door (REST, sync, the socket push in toWire)
 * does so, so `by` and `readers` never leave the server.
 */
export interface StoredMessageView extends Omit<MessageView, 'replyTo' | 'reactions'> {
  replyTo: (ReplyView & { readers?: string[] }) | null;
  reactions: Array<{ emoji: string; count: number; me: boolean; by?: string[] }>;
}

/**
 * SQL column `reply_quote` for message alias `x`: the quoted message as it is now (text null
 * once removed) and the members who may read it (policy/visibility.ts), so a member added
 * after it was posted, or who blocks its sender, is not shown its text. Costs nothing for a
 * message that is not a reply.
 */
export const REPLY_QUOTE_SQL = (x: string) => `CASE WHEN ${x}.reply_to_seq IS NULL THEN NULL ELSE (
  SELECT jsonb_build_object('seq', rq.seq, 'senderId', rq.sender_id, 'text', CASE WHEN rq.state = 'visible' THEN rq.text END,
           'readers', coalesce((SELECT jsonb_agg(rm.user_id) FROM conversation_member rm
                                 WHERE rm.conversation_id = rq.conversation_id AND ${memberSeesMessageSql('rm', 'rq')}), '[]'::jsonb))
    FROM message rq WHERE rq.conversation_id = ${x}.conversation_id AND rq.seq = ${x}.reply_to_seq) END AS reply_quote`;

/**
 * The Message JSON from a `message` row (snake_case, from SQL or row_to_json), before it is
 * shown to a reader (forViewer). A row read without REPLY_QUOTE_SQL quotes no text.
 */
export function messageView(r: any): StoredMessageView {
  const removed = r.state === 'removed';
  const v: StoredMessageView = {
    id: r.id,
    conversationId: r.conversation_id,
    seq: Number(r.seq),
    senderId: r.sender_id,
    clientId: r.client_id,
    text: removed ? null : r.text,
    links: removed ? [] : (r.links ?? []),
    state: r.state,
    createdAt: new Date(r.created_at).toISOString(),
    editedAt: r.edited_at ? new Date(r.edited_at).toISOString() : null,
    replyTo: null,
    reactions: removed
      ? []
      : (Array.isArray(r.reactions) ? r.reactions : []).map((x: { emoji: string; by?: string[] }) => ({
          emoji: x.emoji,
          count: x.by?.length ?? 0,
          me: false,
          by: x.by ?? [],
        })),
  };
  if (r.reply_to_seq !== null && r.reply_to_seq !== undefined) {
    const q = r.reply_quote;
    v.replyTo = q
      ? { seq: Number(q.seq), senderId: q.senderId, text: q.text ?? null, readers: q.readers ?? [] }
      : { seq: Number(r.reply_to_seq), senderId: r.reply_to_sender_id, text: null, readers: [] };
  }
  if (removed) v.removedReason = r.removed_reason ?? 'removed';
  return v;
}

/**
 * A message as shown to a reader who does not read it now (memberReadsMessageSql is false), in
 * an event written when they did: sync renders events at read time, and such an event keeps its
 * place (cursors stay consecutive, and it stays the one message.created of that message, so a
 * client still sees each message created exactly once) but says nothing the list would not:
 * `state: "held"` (stored, not readable by you now), no text, links, reactions, quote or edit
 * time. A removed message says nothing anyway and keeps its removal. When the reader may read it
 * again (a held link released, an unblock), the same event renders it in full, and a release
 * brings it as message.updated (HeldLinks).
 */
export function withheldMessageView(r: any): StoredMessageView {
  const v = messageView(r);
  if (v.state === 'removed') return v;
  return { ...v, text: null, links: [], state: 'held', editedAt: null, replyTo: null, reactions: [] };
}

/** The contract's Message for one reader: `me` on each reaction, the quote's text only if they may read it. */
export function forViewer(v: StoredMessageView | MessageView, viewerId: string): MessageView {
  const s = v as StoredMessageView;
  const out: MessageView = {
    ...s,
    reactions: (s.reactions ?? []).map((x) => ({ emoji: x.emoji, count: x.count, me: x.by ? x.by.includes(viewerId) : x.me })),
    replyTo: s.replyTo
      ? {
          seq: s.replyTo.seq,
          senderId: s.replyTo.senderId,
          text: s.replyTo.readers === undefined || s.replyTo.readers.includes(viewerId) ? s.replyTo.text : null,
        }
      : null,
  };
  if (out.editedAt === undefined) out.editedAt = null;
  return out;
}

/** An event (live or synced) as one user sees it: its message, or its conversation's last message, via forViewer. */
export function eventForViewer<T extends Record<string, unknown>>(event: T, viewerId: string): T {
  let out = event;
  const message = event.message as StoredMessageView | undefined;
  if (message && typeof message === 'object' && Array.isArray(message.reactions)) out = { ...out, message: forViewer(message, viewerId) };
  const conversation = event.conversation as { lastMessage?: StoredMessageView | null } | undefined;
  if (conversation && typeof conversation === 'object' && conversation.lastMessage && Array.isArray(conversation.lastMessage.reactions)) {
    out = { ...out, conversation: { ...conversation, lastMessage: forViewer(conversation.lastMessage, viewerId) } };
  }
  return out;
}

/** The same JSON built inside SQL, for event payloads written in the send statement. */
export const MESSAGE_JSON_SQL = (t: string) => `jsonb_build_object(
  'id', ${t}.id, 'conversationId', ${t}.conversation_id, 'seq', ${t}.seq, 'senderId', ${t}.sender_id,
  'clientId', ${t}.client_id, 'text', ${t}.text, 'links', ${t}.links, 'state', ${t}.state,
  'createdAt', to_char(${t}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;
