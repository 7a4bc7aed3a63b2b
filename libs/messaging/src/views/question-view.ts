import type { LinkView } from './message-view';

/**
 * How a room question looks (the contract's Question JSON), below every layer that renders
 * or scans one: rooms (lists, sync), the link scanner (links) and enforcement (safety).
 */

export type QuestionStatus = 'open' | 'pinned' | 'answered' | 'dismissed';

export interface QuestionView {
  id: string;
  roomId: string;
  authorId: string;
  text: string | null;
  links: LinkView[];
  status: QuestionStatus;
  upvotes: number;
  createdAt: string;
  state: 'visible' | 'removed';
  removedReason?: string;
  upvotedByMe?: boolean;
}

/** A `question` row as the database returns it. */
export interface QuestionRecord {
  id: string;
  room_id: string;
  author_id: string;
  text: string | null;
  links: LinkView[] | null;
  status: QuestionStatus;
  upvotes: number | string;
  created_at: Date | string;
  state: 'visible' | 'removed';
  removed_reason: string | null;
  upvoted_by_me?: boolean;
}

/** A question as services see it: typed and camelCased (`upvotedByMe` when it was selected). */
export interface QuestionRow {
  id: string;
  roomId: string;
  authorId: string;
  text: string | null;
  links: LinkView[] | null;
  status: QuestionStatus;
  upvotes: number;
  createdAt: Date | string;
  state: 'visible' | 'removed';
  removedReason: string | null;
  upvotedByMe?: boolean;
}

export function questionRow(r: QuestionRecord): QuestionRow {
  const row: QuestionRow = {
    id: r.id,
    roomId: r.room_id,
    authorId: r.author_id,
    text: r.text,
    links: r.links,
    status: r.status,
    upvotes: Number(r.upvotes),
    createdAt: r.created_at,
    state: r.state,
    removedReason: r.removed_reason,
  };
  if (typeof r.upvoted_by_me === 'boolean') row.upvotedByMe = r.upvoted_by_me;
  return row;
}

/**
 * The contract's Question JSON. A removed question (a malicious link) loses its text and
 * links for everyone, like a removed message; the row stays so the author and moderators
 * see that it was removed.
 */
export function questionViewOf(r: QuestionRow): QuestionView {
  const removed = r.state === 'removed';
  const v: QuestionView = {
    id: r.id,
    roomId: r.roomId,
    authorId: r.authorId,
    text: removed ? null : r.text,
    links: removed ? [] : (r.links ?? []),
    status: r.status,
    upvotes: r.upvotes,
    createdAt: iso(r.createdAt),
    state: r.state,
  };
  if (removed) v.removedReason = r.removedReason ?? 'removed';
  if (typeof r.upvotedByMe === 'boolean') v.upvotedByMe = r.upvotedByMe;
  return v;
}

/** The same view from a raw `question` row (`upvoted_by_me`, when selected, becomes `upvotedByMe`). */
export const questionView = (r: QuestionRecord): QuestionView => questionViewOf(questionRow(r));

const iso = (v: unknown): string => new Date(v as string).toISOString();
