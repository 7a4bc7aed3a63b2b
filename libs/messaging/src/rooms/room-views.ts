import type { LinkView } from '../views/message-view';
import type { AttendeeRow, RoomRole, RoomRow } from './rows';

export type { RoomRole };

export const ROOM_ROLES: readonly RoomRole[] = ['moderator', 'speaker', 'listener'];

export type QuestionStatus = 'open' | 'pinned' | 'answered' | 'dismissed';
/** The statuses a moderator may set; `open` is only where a question starts. */
export const SETTABLE_QUESTION_STATUSES = ['pinned', 'answered', 'dismissed'] as const;
export type SettableQuestionStatus = (typeof SETTABLE_QUESTION_STATUSES)[number];

export interface RoomView {
  id: string;
  title: string;
  hostId: string;
  status: 'live' | 'ended';
  createdAt: string;
  endedAt: string | null;
  /** The caller's role in the room (null when the caller was never in it). */
  myRole: RoomRole | null;
}

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

export interface AttendeeView {
  userId: string;
  handle: string;
  displayName: string;
  role: RoomRole;
  present: boolean;
}

const iso = (v: unknown): string => new Date(v as string).toISOString();

export function roomView(r: RoomRow, myRole: RoomRole | null): RoomView {
  return {
    id: r.id,
    title: r.title,
    hostId: r.hostId,
    status: r.status,
    createdAt: iso(r.createdAt),
    endedAt: r.endedAt ? iso(r.endedAt) : null,
    myRole,
  };
}

/** A `question` row as the database returns it (the link scanner and enforcement read it themselves). */
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

export function attendeeView(r: AttendeeRow): AttendeeView {
  return { userId: r.userId, handle: r.handle, displayName: r.displayName, role: r.role, present: r.present };
}

/** Order of the questions list: pinned, open, answered, dismissed; then most upvoted; then oldest. */
export const QUESTION_STATUS_RANK: Record<QuestionStatus, number> = { pinned: 0, open: 1, answered: 2, dismissed: 3 };
export const QUESTION_ORDER_SQL = `CASE q.status ${Object.entries(QUESTION_STATUS_RANK)
  .map(([status, rank]) => `WHEN '${status}' THEN ${rank}`)
  .join(' ')} END, q.upvotes DESC, q.created_at, q.id`;

/** Order of the attendees list: moderators, speakers, listeners; each by when they first joined. */
export const ROLE_ORDER_SQL = (t: string) =>
  `CASE ${t}.role WHEN 'moderator' THEN 0 WHEN 'speaker' THEN 1 ELSE 2 END, ${t}.joined_at, ${t}.user_id`;
