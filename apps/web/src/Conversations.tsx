import { useEffect, useState, type FormEvent } from 'react';
import type { Conversation, Me } from '@backchannel/client';
import { bc, describeError, unwrap } from './bc';
import { store, useStore } from './store';
import { go } from './route';

type Folder = 'inbox' | 'requests' | 'hidden';

export const others = (c: Conversation, me: Me) => c.members.filter((m) => m.userId !== me.id);

export function conversationTitle(c: Conversation, me: Me): string {
  if (c.title) return c.title;
  const names = others(c, me).map((m) => m.displayName ?? m.handle ?? 'someone');
  return names.join(', ') || 'Just you';
}

/**
 * Which folder a conversation belongs in now. Hidden is decided by the server: a pending
 * request's view says `hidden` (lists, request.created, conversation.updated); an older view
 * without it keeps the folder of the list it came from.
 */
export function inFolder(c: Conversation, folder: Folder, hiddenIds: Set<string>): boolean {
  if (folder === 'inbox') return c.myState === 'active';
  const hidden = c.hidden ?? hiddenIds.has(c.id);
  if (folder === 'hidden') return c.myState === 'pending' && hidden;
  return c.myState === 'pending' && !hidden;
}

export const hiddenIds = new Set<string>();

export function ConversationList({ folder, me }: { folder: Folder; me: Me }) {
  const s = useStore();
  const [error, setError] = useState('');
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    setLoaded(false);
    unwrap(bc.api.GET('/v1/conversations', { params: { query: { folder, limit: 100 } } })).then(
      (page) => {
        for (const c of page.items) {
          if (folder === 'hidden') hiddenIds.add(c.id);
          else if (folder === 'requests') hiddenIds.delete(c.id);
          store.upsertConversation(c);
        }
        store.changed();
        setLoaded(true);
      },
      (err) => setError(describeError(err)),
    );
  }, [folder]);

  const items = [...s.conversations.values()]
    .filter((c) => c.kind !== 'room' && inFolder(c, folder, hiddenIds))
    .sort((a, b) => (b.lastActivityAt ?? b.lastMessage?.createdAt ?? '').localeCompare(a.lastActivityAt ?? a.lastMessage?.createdAt ?? ''));
  const heading = folder === 'inbox' ? 'Inbox' : folder === 'requests' ? 'Message requests' : 'Hidden requests';

  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">{heading}</h1>
      {folder !== 'inbox' && <p className="hint">People you don’t follow. They won’t know if you decline.</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {loaded && items.length === 0 && <p className="empty">Nothing here.</p>}
      <ul className="conversations">
        {items.map((c) => (
          <li key={c.id} className="conversation-row">
            <a href={`#/c/${c.id}`} className="conversation-link">
              <span className="title">
                {conversationTitle(c, me)}
                {c.myState === 'pending' && c.kind === 'direct' && others(c, me)[0]?.handle && (
                  <span className="handle"> @{others(c, me)[0].handle}</span>
                )}
              </span>
              {c.unreadCount > 0 && (
                <span className="badge" aria-label={`${c.unreadCount} unread`}>
                  {c.unreadCount}
                </span>
              )}
              <span className="preview">{c.lastMessage ? (c.lastMessage.text ?? 'Message removed') : 'No messages yet'}</span>
              {c.context && <span className="context">Met in {(c.context as { roomTitle?: string }).roomTitle ?? 'a room'}</span>}
            </a>
            {c.myState === 'pending' && <RequestActions conversation={c} me={me} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

const REASONS = ['spam', 'harassment', 'hate', 'violence', 'self_harm', 'scam', 'other'] as const;

/** Accept, decline, report (optionally blocking), block: what a recipient may do with a request. */
export function RequestActions({ conversation, me }: { conversation: Conversation; me: Me }) {
  const [status, setStatus] = useState('');
  const [reporting, setReporting] = useState(false);
  const [reason, setReason] = useState<(typeof REASONS)[number]>('spam');
  const [alsoBlock, setAlsoBlock] = useState(true);
  const creator = (conversation as { creatorId?: string }).creatorId ?? others(conversation, me)[0]?.userId;
  const id = conversation.id;

  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      if (what) setStatus(what);
    } catch (err) {
      setStatus(describeError(err));
    }
  };
  const refresh = async () => {
    const c = await unwrap(bc.api.GET('/v1/conversations/{id}', { params: { path: { id } } })).catch(() => null);
    if (c) store.upsertConversation(c);
    else store.conversations.delete(id);
    store.changed();
  };
  const drop = () => {
    store.conversations.delete(id);
    store.changed();
  };

  return (
    <div className="request-actions" role="group" aria-label="Request actions">
      <button
        type="button"
        onClick={() =>
          act('Accepted', async () => {
            await unwrap(bc.api.POST('/v1/conversations/{id}/accept', { params: { path: { id } } }));
            hiddenIds.delete(id);
            await refresh();
            go(`#/c/${id}`);
          })
        }
      >
        Accept
      </button>
      <button
        type="button"
        onClick={() =>
          act('Declined', async () => {
            await unwrap(bc.api.POST('/v1/conversations/{id}/decline', { params: { path: { id } } }));
            drop();
          })
        }
      >
        Decline
      </button>
      <button type="button" aria-expanded={reporting} onClick={() => setReporting(!reporting)}>
        Report…
      </button>
      {creator && (
        <button
          type="button"
          onClick={() =>
            act('Blocked', async () => {
              await unwrap(bc.api.PUT('/v1/users/{id}/block', { params: { path: { id: creator } } }));
              drop();
            })
          }
        >
          Block
        </button>
      )}
      {creator && (
        <button
          type="button"
          onClick={() =>
            act('', async () => {
              const { declined } = await unwrap(bc.api.POST('/v1/requests/decline-all', { body: { senderId: creator } }));
              // Every pending request they started for me is gone from my lists (they are not told).
              for (const c of [...store.conversations.values()]) {
                if (c.myState === 'pending' && (c.creatorId ?? null) === creator) store.conversations.delete(c.id);
              }
              store.changed();
              setStatus(declined === 1 ? 'Declined 1 request from them.' : `Declined ${declined} requests from them.`);
            })
          }
        >
          Decline all from them
        </button>
      )}
      {reporting && (
        <form
          className="report"
          onSubmit={(e) => {
            e.preventDefault();
            void act('Reported', async () => {
              await unwrap(bc.api.POST('/v1/reports', { body: { subjectType: 'conversation', subjectId: id, reason, block: alsoBlock } }));
              setReporting(false);
              if (reason === 'spam' || alsoBlock) drop();
            });
          }}
        >
          <label>
            Reason
            <select value={reason} onChange={(e) => setReason(e.target.value as (typeof REASONS)[number])}>
              {REASONS.map((r) => (
                <option key={r} value={r}>
                  {r.replace('_', ' ')}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={alsoBlock} onChange={(e) => setAlsoBlock(e.target.checked)} /> Also block them
          </label>
          <button type="submit">Send report</button>
        </form>
      )}
      {status && (
        <span role="status" className="status">
          {status}
        </span>
      )}
    </div>
  );
}

/** Start a chat: find someone by handle (GET /v1/users?handle=), then open or create the direct conversation. */
export function NewConversation() {
  const [handle, setHandle] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      const found = await unwrap(bc.api.GET('/v1/users', { params: { query: { handle: handle.trim().replace(/^@/, '') } } }));
      const user = found.items[0];
      if (!user) return setError(`Nobody is called @${handle}.`);
      const c = await unwrap(bc.api.POST('/v1/conversations', { body: { participantIds: [user.id] } }));
      store.upsertConversation(c);
      store.changed();
      go(`#/c/${c.id}`);
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <section aria-labelledby="new-title">
      <h1 id="new-title">New chat</h1>
      <form onSubmit={submit} className="inline-form">
        <label>
          Their handle
          <input name="handle" required value={handle} onChange={(e) => setHandle(e.target.value.toLowerCase())} placeholder="bob_2" />
        </label>
        <button type="submit">Start chat</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
