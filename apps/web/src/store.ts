import { useSyncExternalStore } from 'react';
import type { Conversation, Message, Notice, Question, ServerEvent } from '@backchannel/client';
import { bc } from './bc';

/**
 * What the screens show, kept current by the SDK's events (each exactly once, in order) and
 * seeded by the REST lists. Screens read it with useStore(); every change bumps `version`.
 */
class Store {
  version = 0;
  connection: 'connecting' | 'connected' | 'disconnected' = 'connecting';
  conversations = new Map<string, Conversation>();
  messages = new Map<string, Map<number, Message>>();
  /** conversationId → userId → read seq */
  reads = new Map<string, Map<string, number>>();
  /** conversationId → userId → until (ms) */
  typing = new Map<string, Map<string, number>>();
  notices: Notice[] = [];
  questions = new Map<string, Map<string, Question>>();
  private listeners = new Set<() => void>();

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  changed() {
    this.version++;
    for (const l of this.listeners) l();
  }

  /**
   * A read marker moved: mine (set here on screen, or by `read.updated` from another device)
   * clears the conversation's unread count at once when it reaches the last message.
   */
  markedRead(conversationId: string, userId: string, seq: number) {
    const r = this.reads.get(conversationId) ?? new Map<string, number>();
    r.set(userId, Math.max(r.get(userId) ?? 0, seq));
    this.reads.set(conversationId, r);
    const c = this.conversations.get(conversationId);
    if (c && userId === bc.user?.id) this.conversations.set(c.id, this.withMyRead(c));
  }

  /**
   * A conversation from the server (a list, GET, or an event). Its unreadCount was counted at
   * the read marker the server had then: a reply that left before my newer marker arrived there
   * must not bring an unread badge back, so the count follows the newest marker known here.
   */
  upsertConversation(c: Conversation) {
    const reads = this.reads.get(c.id) ?? new Map<string, number>();
    for (const m of c.members) {
      if (typeof m.readSeq === 'number') reads.set(m.userId, Math.max(reads.get(m.userId) ?? 0, m.readSeq));
    }
    const me = bc.user?.id;
    if (me && typeof c.readSeq === 'number') reads.set(me, Math.max(reads.get(me) ?? 0, c.readSeq));
    this.reads.set(c.id, reads);
    this.conversations.set(c.id, this.withMyRead(c));
  }

  /**
   * The last message I may see: the server's lastMessage or a newer one received since (lastSeq
   * also counts messages not shown to me, e.g. held for a link scan, that I can never mark read).
   */
  private lastVisibleSeq(c: Conversation): number {
    let last = c.lastMessage?.seq ?? 0;
    for (const seq of this.messages.get(c.id)?.keys() ?? []) if (seq > last) last = seq;
    return last;
  }

  /** Nothing is unread once my read marker is at (or past) the last message I may see. */
  private withMyRead(c: Conversation): Conversation {
    const me = bc.user?.id;
    const myRead = me ? (this.reads.get(c.id)?.get(me) ?? 0) : 0;
    return c.unreadCount > 0 && myRead >= this.lastVisibleSeq(c) ? { ...c, unreadCount: 0 } : c;
  }

  /** Re-reads one conversation as the server lists it (its folder, counts, members). */
  refreshConversation(id: string) {
    bc.api.GET('/v1/conversations/{id}', { params: { path: { id } } }).then(
      ({ data }) => {
        if (!data) return;
        this.upsertConversation(data);
        this.changed();
      },
      () => undefined, // gone or offline: the next list or event says where it is
    );
  }

  upsertMessage(m: Message) {
    let byseq = this.messages.get(m.conversationId);
    if (!byseq) this.messages.set(m.conversationId, (byseq = new Map<number, Message>()));
    const had = byseq.get(m.seq);
    const isNew = !had;
    m = had ? freshest(had, m) : m;
    byseq.set(m.seq, m);
    this.typing.get(m.conversationId)?.delete(m.senderId); // their message ends their typing
    const c = this.conversations.get(m.conversationId);
    if (!c) return;
    // A request's messages may move it to Hidden (my hidden words): ask the server where it is now.
    if (isNew && c.myState === 'pending') this.refreshConversation(c.id);
    const me = bc.user?.id;
    const unread = isNew && me && m.senderId !== me && m.seq > (this.reads.get(c.id)?.get(me) ?? 0) ? 1 : 0;
    if (!c.lastMessage || c.lastMessage.seq <= m.seq || unread) {
      this.conversations.set(c.id, {
        ...c,
        lastMessage: !c.lastMessage || c.lastMessage.seq <= m.seq ? m : c.lastMessage,
        unreadCount: c.unreadCount + unread,
      });
    }
  }

  upsertQuestion(q: Question) {
    let m = this.questions.get(q.roomId);
    if (!m) this.questions.set(q.roomId, (m = new Map<string, Question>()));
    m.set(q.id, q);
  }

  apply(e: ServerEvent) {
    switch (e.type) {
      case 'message.created':
      case 'message.updated':
        this.upsertMessage(e.message);
        break;
      case 'conversation.updated':
      case 'request.created':
        this.upsertConversation(e.conversation);
        break;
      case 'read.updated':
        this.markedRead(e.conversationId, e.userId, e.seq);
        break;
      case 'notice.created':
        if (!this.notices.some((n) => n.id === e.notice.id)) this.notices = [e.notice, ...this.notices];
        break;
      case 'question.created':
      case 'question.updated':
        this.upsertQuestion(e.question);
        break;
    }
    this.changed();
  }

  clear() {
    this.conversations.clear();
    this.messages.clear();
    this.reads.clear();
    this.typing.clear();
    this.notices = [];
    this.questions.clear();
    this.changed();
  }
}

/**
 * The newer of two copies of one message. Copies can arrive out of order: the send's own
 * response (links `pending`) after the live message.updated that carried their verdicts, or a
 * history page read before a removal. A removal is never undone, and a link's verdict never
 * goes back to `pending` except by an edit (a new `editedAt`), so an older copy never hides a
 * verdict (a link stays unclickable while pending, link-verdicts.ts).
 */
function freshest(had: Message, m: Message): Message {
  if (had.state === 'removed' && m.state !== 'removed') return had;
  if (had.editedAt !== m.editedAt || had.state !== m.state) return m;
  const known = new Map(had.links.filter((l) => l.verdict !== 'pending').map((l) => [l.url, l]));
  if (!m.links.some((l) => l.verdict === 'pending' && known.has(l.url))) return m;
  return { ...m, links: m.links.map((l) => (l.verdict === 'pending' ? (known.get(l.url) ?? l) : l)) };
}

export const store = new Store();

bc.on('event', (e) => store.apply(e));
bc.on('connection', (c) => {
  store.connection = c.state;
  store.changed();
});
bc.on('typing', (t) => {
  const m = store.typing.get(t.conversationId) ?? new Map<string, number>();
  m.set(t.userId, Date.now() + 5000);
  store.typing.set(t.conversationId, m);
  store.changed();
  setTimeout(() => store.changed(), 5100);
});
bc.on('send.succeeded', (s) => {
  store.upsertMessage(s.message);
  store.changed();
});
bc.on('send.failed', () => store.changed());

/** Re-renders the caller whenever the store changes. */
export function useStore(): Store {
  useSyncExternalStore(store.subscribe, () => store.version);
  return store;
}
