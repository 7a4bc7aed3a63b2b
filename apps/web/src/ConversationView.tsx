import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Me, Message, components } from '@backchannel/client';
import { bc, describeError, unwrap } from './bc';
import { store, useStore } from './store';
import { MessageItem } from './MessageItem';
import { RequestActions, conversationTitle, others } from './Conversations';
import { PersonActions } from './Safety';
import { GroupMembers } from './Groups';

const excerpt = (t: string) => (t.length > 80 ? `${t.slice(0, 80)}…` : t);

/** Loads the latest page of history; live messages arrive through the store (each once). */
async function loadHistory(id: string): Promise<void> {
  const c = await unwrap(bc.api.GET('/v1/conversations/{id}', { params: { path: { id } } }));
  store.upsertConversation(c);
  const last = (c as { lastSeq?: number }).lastSeq ?? 0;
  let cursor: string | undefined;
  const afterSeq = Math.max(0, last - 200);
  for (let page = 0; page < 5; page++) {
    const res = await unwrap(
      bc.api.GET('/v1/conversations/{id}/messages', {
        params: { path: { id }, query: cursor ? { cursor, limit: 100 } : { afterSeq, limit: 100 } },
      }),
    );
    for (const m of res.items) store.upsertMessage(m);
    if (!res.nextCursor) break;
    cursor = res.nextCursor;
  }
  store.changed();
}

export function ConversationView({ id, me, embedded, title }: { id: string; me: Me; embedded?: boolean; title?: string }) {
  const s = useStore();
  const [error, setError] = useState('');
  const [text, setText] = useState('');
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const lastTyping = useRef(0);
  const listRef = useRef<HTMLOListElement>(null);
  const conversation = s.conversations.get(id);
  const messages: Message[] = [...(s.messages.get(id)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  const pending = bc.pending().filter((p) => p.conversationId === id);
  const lastSeq = messages.length ? messages[messages.length - 1].seq : 0;

  useEffect(() => {
    setError('');
    loadHistory(id).catch((err) => setError(describeError(err)));
    // After a reset (cursor too old) or a reconnect the store may have missed nothing, but reload anyway on reset.
    return bc.on('reset', () => void loadHistory(id));
  }, [id]);

  // A refusal to send (e.g. "wait until your request is accepted") is stale once anyone's membership changes.
  const memberStates = conversation?.members.map((m) => `${m.userId}:${m.state}`).join(',');
  useEffect(() => setError(''), [memberStates]);

  // Read marker: what is on screen is read.
  const myRead = s.reads.get(id)?.get(me.id) ?? 0;
  useEffect(() => {
    if (conversation?.myState !== 'active' || lastSeq <= myRead || document.visibilityState !== 'visible') return;
    store.markedRead(id, me.id, lastSeq);
    store.changed();
    bc.markRead(id, lastSeq).catch(() => undefined);
  }, [id, me.id, lastSeq, myRead, conversation?.myState]);

  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length, pending.length]);

  if (!conversation)
    return (
      <p>
        {error ? (
          <span role="alert" className="error">
            {error}
          </span>
        ) : (
          'Loading…'
        )}
      </p>
    );

  const members = conversation.members;
  const nameOf = (userId: string) => {
    const m = members.find((x) => x.userId === userId);
    return m?.displayName ?? m?.handle ?? 'someone';
  };
  const typingNow = [...(s.typing.get(id)?.entries() ?? [])]
    .filter(([u, until]) => u !== me.id && until > Date.now())
    .map(([u]) => nameOf(u));
  const lastMine = [...messages].reverse().find((m) => m.senderId === me.id && m.state !== 'removed');
  const seenBy = lastMine
    ? others(conversation, me)
        .filter((m) => (s.reads.get(id)?.get(m.userId) ?? 0) >= lastMine.seq)
        .map((m) => nameOf(m.userId))
    : [];

  const send = async (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    setText('');
    setError('');
    const quoted = replyTo;
    setReplyTo(null);
    const done = bc.send(id, body, quoted ? { replyTo: quoted.seq } : {});
    store.changed(); // shows it as "sending…" at once
    try {
      await done;
    } catch (err) {
      setError(describeError(err));
      setText(body);
      setReplyTo(quoted);
    }
  };

  const onType = (value: string) => {
    setText(value);
    if (Date.now() - lastTyping.current > 3000 && value) {
      lastTyping.current = Date.now();
      bc.typing(id);
    }
  };

  const unsend = async (m: Message) => {
    try {
      const removed = await unwrap(
        bc.api.DELETE('/v1/conversations/{id}/messages/{messageId}', { params: { path: { id, messageId: m.id } } }),
      );
      store.upsertMessage(removed as Message);
      store.changed();
    } catch (err) {
      setError(describeError(err));
    }
  };

  const react = async (m: Message, emoji: string, on: boolean) => {
    const params = { params: { path: { id, messageId: m.id, emoji } } };
    try {
      // openapi-fetch encodes path parameters, so the emoji goes out URL-encoded.
      await unwrap(
        on
          ? bc.api.PUT('/v1/conversations/{id}/messages/{messageId}/reactions/{emoji}', params)
          : bc.api.DELETE('/v1/conversations/{id}/messages/{messageId}/reactions/{emoji}', params),
      );
    } catch (err) {
      setError(describeError(err));
    }
  };

  const edit = async (m: Message, body: string): Promise<string | null> => {
    try {
      const updated = await unwrap(
        bc.api.PATCH('/v1/conversations/{id}/messages/{messageId}', { params: { path: { id, messageId: m.id } }, body: { text: body } }),
      );
      store.upsertMessage(updated as Message);
      store.changed();
      return null;
    } catch (err) {
      return describeError(err);
    }
  };

  // A quote follows the quoted message live when it is here (message.updated only names that
  // one): its edited text, or null once it is removed.
  const bySeq = s.messages.get(id);
  const withLiveQuote = (m: Message): Message => {
    const q = m.replyTo && bySeq?.get(m.replyTo.seq);
    if (!m.replyTo || !q || q.state === 'held') return m;
    const text = q.state === 'removed' ? null : q.text;
    return text === m.replyTo.text ? m : { ...m, replyTo: { ...m.replyTo, text } };
  };

  const Heading = embedded ? 'h2' : 'h1';
  // Staff locked it (v1.2): from the view and from conversation.updated, which the store keeps current.
  const locked = conversation.locked === true;
  const writable = conversation.myState === 'active' && !locked;
  return (
    <section className="conversation" aria-labelledby={`conv-title-${id}`}>
      <Heading id={`conv-title-${id}`}>{title ?? conversationTitle(conversation, me)}</Heading>
      {!embedded && conversation.kind === 'direct' && conversation.myState === 'active' && others(conversation, me)[0] && (
        <PersonActions userId={others(conversation, me)[0].userId} name={nameOf(others(conversation, me)[0].userId)} />
      )}
      {!embedded && conversation.kind === 'group' && <GroupMembers conversation={conversation} me={me} />}
      {!embedded && <MessageSearch conversationId={id} nameOf={(u) => (u === me.id ? 'You' : nameOf(u))} />}
      {!embedded && conversation.context && (
        <p className="context">Met in {(conversation.context as { roomTitle?: string }).roomTitle ?? 'a room'}</p>
      )}
      {locked && (
        <div className="locked-banner" role="status">
          <strong>Locked by moderators.</strong> You can read this conversation, but nobody can send, edit or react here until it is
          unlocked.
        </div>
      )}
      {conversation.myState === 'pending' && (
        <div className="request-banner">
          <p>This is a message request. Accept to reply; they won’t know if you decline.</p>
          <RequestActions conversation={conversation} me={me} />
        </div>
      )}
      <ol className="messages" ref={listRef} role="log" aria-live="polite" aria-label="Messages" tabIndex={0}>
        {messages.map(withLiveQuote).map((m) => (
          <MessageItem
            key={m.id}
            message={m}
            ctx={{ me, mine: m.senderId === me.id, conversationId: id }}
            senderName={nameOf(m.senderId)}
            seenBy={lastMine?.id === m.id ? seenBy : undefined}
            onUnsend={() => void unsend(m)}
            onReply={writable ? () => setReplyTo(m) : undefined}
            onReact={writable ? (emoji, on) => void react(m, emoji, on) : undefined}
            onEdit={locked ? undefined : (body) => edit(m, body)}
            replyName={m.replyTo ? (m.replyTo.senderId === me.id ? 'You' : nameOf(m.replyTo.senderId)) : undefined}
          />
        ))}
        {pending.map((p) => (
          <li key={p.clientId} className="message mine sending" aria-label="Sending">
            <p className="text">{p.text}</p>
            <div className="meta">sending…</div>
          </li>
        ))}
      </ol>
      <p className="typing" aria-live="polite">
        {typingNow.length ? `${typingNow.join(', ')} ${typingNow.length > 1 ? 'are' : 'is'} typing…` : '\u00a0'}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {writable && replyTo && (
        <div className="replying">
          <span>
            Replying to {replyTo.senderId === me.id ? 'yourself' : nameOf(replyTo.senderId)}: {excerpt(replyTo.text ?? '')}
          </span>
          <button type="button" className="link" aria-label="Cancel reply" onClick={() => setReplyTo(null)}>
            ×
          </button>
        </div>
      )}
      {conversation.myState === 'active' && (
        <form className="composer" onSubmit={send}>
          <label htmlFor={`composer-${id}`} className="visually-hidden">
            Message
          </label>
          <textarea
            id={`composer-${id}`}
            name="message"
            rows={1}
            maxLength={4000}
            value={text}
            disabled={locked}
            placeholder={locked ? 'Locked by moderators' : 'Message'}
            onChange={(e) => onType(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <button type="submit" disabled={locked}>
            Send
          </button>
        </form>
      )}
    </section>
  );
}

type SearchHit = components['schemas']['SearchHit'];

/** Full-text search of this conversation's messages (GET /v1/search), best match first. */
function MessageSearch({ conversationId, nameOf }: { conversationId: string; nameOf: (userId: string) => string }) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState('');
  const search = async (e: FormEvent) => {
    e.preventDefault();
    const query = q.trim();
    if (query.length < 2) {
      setError('Type at least 2 characters');
      return;
    }
    setError('');
    try {
      const res = await unwrap(bc.api.GET('/v1/search', { params: { query: { q: query, conversationId, limit: 20 } } }));
      setHits(res.items);
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <div className="search">
      <form role="search" onSubmit={search}>
        <label htmlFor={`search-${conversationId}`} className="visually-hidden">
          Search messages
        </label>
        <input
          id={`search-${conversationId}`}
          type="search"
          maxLength={200}
          value={q}
          placeholder="Search messages"
          onChange={(e) => setQ(e.target.value)}
        />
        <button type="submit">Search</button>
        {hits && (
          <button
            type="button"
            className="link"
            onClick={() => {
              setHits(null);
              setQ('');
            }}
          >
            Clear
          </button>
        )}
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {hits && (
        <ul className="search-results" aria-label="Search results">
          {hits.length === 0 && <li>No messages found</li>}
          {hits.map((h) => (
            <li key={h.messageId} data-seq={h.seq}>
              <span className="sender">{nameOf(h.senderId)}</span>: {h.snippet}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
