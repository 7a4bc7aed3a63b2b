import type { ReactNode } from 'react';
import type { Me, Message } from '@backchannel/client';

/**
 * One message. Replies, reactions and edits (API v1.1) are built elsewhere: they plug in as
 * extensions instead of changing this component. An extension may add a block above the
 * text (a quoted reply), below it (reactions, "edited"), and actions beside Unsend.
 */
export interface MessageContext {
  me: Me;
  mine: boolean;
  conversationId: string;
}

export interface MessageExtension {
  name: string;
  above?(m: Message, ctx: MessageContext): ReactNode;
  below?(m: Message, ctx: MessageContext): ReactNode;
  actions?(m: Message, ctx: MessageContext): ReactNode;
}

/** Register with `messageExtensions.push({...})` (e.g. from a replies or reactions module). */
export const messageExtensions: MessageExtension[] = [];

const host = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

const VERDICT_TEXT: Record<string, string> = {
  pending: 'checking…',
  safe: 'safe',
  suspicious: 'suspicious',
  malicious: 'malicious',
};

export function LinkChips({ links }: { links: Message['links'] }) {
  if (!links.length) return null;
  return (
    <ul className="chips" aria-label="Links">
      {links.map((l, i) => (
        <li key={`${l.url}-${i}`} className={`chip chip-${l.verdict}`} title={(l as { reason?: string }).reason ?? l.url}>
          <span className="chip-host">{host(l.url)}</span> <span className="chip-verdict">{VERDICT_TEXT[l.verdict] ?? l.verdict}</span>
        </li>
      ))}
    </ul>
  );
}

const REMOVED: Record<string, string> = {
  unsent: 'Message unsent',
  malicious_link: 'Removed: it linked to a dangerous site',
  moderation: 'Removed by moderators',
};

export function MessageItem(props: { message: Message; ctx: MessageContext; senderName: string; seenBy?: string[]; onUnsend?: () => void }) {
  const { message: m, ctx, senderName, seenBy, onUnsend } = props;
  const removed = m.state === 'removed';
  const time = new Date(m.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <li className={`message ${ctx.mine ? 'mine' : 'theirs'} ${removed ? 'removed' : ''}`} data-seq={m.seq} data-message-id={m.id}>
      <div className="meta">
        <span className="sender">{ctx.mine ? 'You' : senderName}</span> <time dateTime={m.createdAt}>{time}</time>
        {m.state === 'held' && <span className="held"> · held for review</span>}
      </div>
      {messageExtensions.map((x) => x.above && <div key={x.name}>{x.above(m, ctx)}</div>)}
      <p className="text">{removed ? <em>{REMOVED[m.removedReason ?? ''] ?? 'Message removed'}</em> : m.text}</p>
      {!removed && <LinkChips links={m.links} />}
      {messageExtensions.map((x) => x.below && <div key={x.name}>{x.below(m, ctx)}</div>)}
      <div className="actions">
        {ctx.mine && !removed && onUnsend && (
          <button type="button" className="link" onClick={onUnsend} aria-label={`Unsend message ${m.seq}`}>Unsend</button>
        )}
        {messageExtensions.map((x) => x.actions && <span key={x.name}>{x.actions(m, ctx)}</span>)}
      </div>
      {seenBy && seenBy.length > 0 && <div className="seen">Seen by {seenBy.join(', ')}</div>}
    </li>
  );
}
