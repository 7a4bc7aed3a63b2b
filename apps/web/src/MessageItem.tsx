import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { Me, Message } from '@backchannel/client';
import { ReportForm } from './Safety';
import { chipKind, clickable, hostOf, openable, reasonText, sourcesText, type LinkItem } from './link-verdicts';

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

/**
 * A message's or question's links (link-verdicts.ts says how each verdict shows): a link a
 * reputation source or staff vouched for opens directly, green "safe"; one only the offline
 * checks passed opens directly as a neutral link; a suspicious one opens through
 * LinkInterstitial; a malicious one, or one still being checked, is not a link at all (a
 * pending one becomes clickable when its verdict arrives live, message.updated).
 */
export function LinkChips({ links }: { links: Message['links'] }) {
  const [confirming, setConfirming] = useState<LinkItem | null>(null);
  if (!links.length) return null;
  return (
    <>
      <ul className="chips" aria-label="Links">
        {links.map((l, i) => (
          <li key={`${l.url}-${i}`} className={`chip chip-${chipKind(l)}`}>
            <LinkChip link={l} onSuspicious={() => setConfirming(l)} />
          </li>
        ))}
      </ul>
      {confirming && <LinkInterstitial link={confirming} onClose={() => setConfirming(null)} />}
    </>
  );
}

function LinkChip({ link, onSuspicious }: { link: LinkItem; onSuspicious: () => void }) {
  const kind = chipKind(link);
  const host = hostOf(link.url);
  const href = clickable(link) ? openable(link.url) : null;
  const checked = sourcesText(link.sources);
  if (href && kind === 'suspicious') {
    return (
      <button type="button" className="chip-open" onClick={onSuspicious} title={reasonText(link)}>
        {host} <span className="chip-verdict">suspicious</span>
      </button>
    );
  }
  if (href) {
    return (
      <a href={href} target="_blank" rel="noopener noreferrer" title={checked || link.url}>
        {host}
        {kind === 'checked' && <span className="chip-verdict"> safe</span>}
      </a>
    );
  }
  const label = kind === 'pending' ? 'checking…' : kind === 'malicious' ? 'dangerous, blocked' : '';
  const title =
    kind === 'pending' ? 'Being checked: it opens once checked' : kind === 'malicious' ? reasonText(link) : 'This address cannot be opened';
  return (
    <span title={title}>
      {host} {label && <span className="chip-verdict">{label}</span>}
    </span>
  );
}

/**
 * The confirm screen before a suspicious link opens: why it was flagged, where it leads, what
 * was consulted; "Go back" (focused, and Escape) closes it, "Open anyway" opens it in a new tab
 * without handing this page to it (noopener noreferrer).
 */
export function LinkInterstitial({ link, onClose }: { link: LinkItem; onClose: () => void }) {
  const href = openable(link.url);
  const id = useId();
  const back = useRef<HTMLButtonElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    back.current?.focus(); // once, when it opens: the safe choice is the default
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="overlay">
      <div role="dialog" aria-modal="true" aria-labelledby={`${id}-title`} aria-describedby={`${id}-why`} className="interstitial">
        <h2 id={`${id}-title`}>This link looks suspicious</h2>
        <p id={`${id}-why`}>{reasonText(link)}</p>
        <p className="interstitial-url">
          It leads to <code>{link.url}</code>
        </p>
        {link.sources && link.sources.length > 0 && <p className="interstitial-sources">{sourcesText(link.sources)}</p>}
        <div className="interstitial-actions">
          <button type="button" ref={back} onClick={onClose}>
            Go back
          </button>
          {href && (
            <a className="button danger" href={href} target="_blank" rel="noopener noreferrer" onClick={() => setTimeout(onClose)}>
              Open anyway
            </a>
          )}
        </div>
      </div>
    </div>
  );
}

const REMOVED: Record<string, string> = {
  unsent: 'Message unsent',
  malicious_link: 'Removed: it linked to a dangerous site',
  moderation: 'Removed by moderators',
};

export const REACTION_EMOJI: Array<[string, string]> = [
  ['👍', 'thumbs up'],
  ['❤️', 'heart'],
  ['😂', 'laughing'],
  ['😮', 'surprised'],
  ['😢', 'sad'],
  ['🙏', 'thanks'],
];
const EDIT_WINDOW_MS = 15 * 60 * 1000;

/** What a message can do beyond Unsend (v1.1): reply, react, edit. Each resolves to an error text or null. */
export interface MessageHandlers {
  onUnsend?: () => void;
  onReply?: () => void;
  onReact?: (emoji: string, on: boolean) => void;
  onEdit?: (text: string) => Promise<string | null>;
  replyName?: string;
}

export function MessageItem(props: { message: Message; ctx: MessageContext; senderName: string; seenBy?: string[] } & MessageHandlers) {
  const { message: m, ctx, senderName, seenBy, onUnsend, onReply, onReact, onEdit, replyName } = props;
  const [picker, setPicker] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [editError, setEditError] = useState('');
  const [reporting, setReporting] = useState(false);
  const removed = m.state === 'removed';
  const visible = m.state === 'visible';
  const time = new Date(m.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const canEdit = ctx.mine && visible && !!onEdit && Date.now() - new Date(m.createdAt).getTime() < EDIT_WINDOW_MS;
  const save = async () => {
    if (editing === null || !onEdit) return;
    const err = await onEdit(editing.trim());
    if (err) setEditError(err);
    else {
      setEditing(null);
      setEditError('');
    }
  };
  return (
    <li className={`message ${ctx.mine ? 'mine' : 'theirs'} ${removed ? 'removed' : ''}`} data-seq={m.seq} data-message-id={m.id}>
      <div className="meta">
        <span className="sender">{ctx.mine ? 'You' : senderName}</span> <time dateTime={m.createdAt}>{time}</time>
        {m.editedAt && <span className="edited"> (edited)</span>}
        {m.state === 'held' && <span className="held"> · held for review</span>}
      </div>
      {m.replyTo && !removed && (
        <blockquote className="quote" aria-label="Quoted message">
          <span className="quote-sender">{replyName ?? 'someone'}</span>{' '}
          <span className="quote-text">{m.replyTo.text ?? <em>Original message removed</em>}</span>
        </blockquote>
      )}
      {messageExtensions.map((x) => x.above && <div key={x.name}>{x.above(m, ctx)}</div>)}
      {editing !== null ? (
        <div className="edit">
          <label htmlFor={`edit-${m.id}`} className="visually-hidden">
            Edit message
          </label>
          <textarea
            id={`edit-${m.id}`}
            rows={2}
            maxLength={4000}
            value={editing}
            autoFocus
            onChange={(e) => setEditing(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setEditing(null);
            }}
          />
          <button type="button" onClick={() => void save()}>
            Save
          </button>{' '}
          <button
            type="button"
            onClick={() => {
              setEditing(null);
              setEditError('');
            }}
          >
            Cancel
          </button>
          {editError && (
            <p role="alert" className="error">
              {editError}
            </p>
          )}
        </div>
      ) : (
        <p className="text">{removed ? <em>{REMOVED[m.removedReason ?? ''] ?? 'Message removed'}</em> : m.text}</p>
      )}
      {!removed && <LinkChips links={m.links} />}
      {visible && (m.reactions ?? []).length > 0 && (
        <div className="reactions" aria-label="Reactions">
          {m.reactions.map((r) => (
            <button key={r.emoji} type="button" className="reaction" aria-pressed={r.me} onClick={() => onReact?.(r.emoji, !r.me)}>
              {r.emoji} {r.count}
            </button>
          ))}
        </div>
      )}
      {messageExtensions.map((x) => x.below && <div key={x.name}>{x.below(m, ctx)}</div>)}
      <div className="actions">
        {visible && onReply && (
          <button type="button" className="link" onClick={onReply} aria-label={`Reply to message ${m.seq}`}>
            Reply
          </button>
        )}
        {visible && onReact && (
          <button
            type="button"
            className="link"
            aria-expanded={picker}
            onClick={() => setPicker(!picker)}
            aria-label={`React to message ${m.seq}`}
          >
            React
          </button>
        )}
        {canEdit && editing === null && (
          <button type="button" className="link" onClick={() => setEditing(m.text)} aria-label={`Edit message ${m.seq}`}>
            Edit
          </button>
        )}
        {ctx.mine && !removed && onUnsend && (
          <button type="button" className="link" onClick={onUnsend} aria-label={`Unsend message ${m.seq}`}>
            Unsend
          </button>
        )}
        {!ctx.mine && !removed && (
          <button
            type="button"
            className="link"
            aria-expanded={reporting}
            onClick={() => setReporting(!reporting)}
            aria-label={`Report message ${m.seq}`}
          >
            Report
          </button>
        )}
        {messageExtensions.map((x) => x.actions && <span key={x.name}>{x.actions(m, ctx)}</span>)}
      </div>
      {reporting && <ReportForm subjectType="message" subjectId={m.id} label={`Report message ${m.seq}`} />}
      {picker && visible && (
        // Opened at the bottom of the scrolling list, it is brought into view (not left under the composer).
        <div className="picker" role="group" aria-label="Pick a reaction" ref={(el) => el?.scrollIntoView({ block: 'nearest' })}>
          {REACTION_EMOJI.map(([e, label]) => (
            <button
              key={e}
              type="button"
              aria-label={`React ${label}`}
              onClick={() => {
                setPicker(false);
                onReact?.(e, !m.reactions?.some((r) => r.emoji === e && r.me));
              }}
            >
              {e}
            </button>
          ))}
        </div>
      )}
      {seenBy && seenBy.length > 0 && <div className="seen">Seen by {seenBy.join(', ')}</div>}
    </li>
  );
}
