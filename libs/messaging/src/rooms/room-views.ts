import type { AttendeeRow, RoomListRow, RoomRole, RoomRow, RoomStatus } from './rows';
import type { QuestionStatus } from '../views/question-view';

export type { RoomRole };

export const ROOM_ROLES: readonly RoomRole[] = ['moderator', 'speaker', 'listener'];

/** The statuses a moderator may set; `open` is only where a question starts. */
export const SETTABLE_QUESTION_STATUSES = ['pinned', 'answered', 'dismissed'] as const;
export type SettableQuestionStatus = (typeof SETTABLE_QUESTION_STATUSES)[number];

export interface RoomView {
  id: string;
  title: string;
  hostId: string;
  status: RoomStatus;
  /** When a scheduled room is meant to start; null for a room created live. */
  startsAt: string | null;
  createdAt: string;
  endedAt: string | null;
  /** The caller's role in the room (null when the caller was never in it). */
  myRole: RoomRole | null;
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
    startsAt: r.startsAt ? iso(r.startsAt) : null,
    createdAt: iso(r.createdAt),
    endedAt: r.endedAt ? iso(r.endedAt) : null,
    myRole,
  };
}

/** `GET /v1/rooms`: `{id, title, status, startsAt}`, with my role in it. */
export interface RoomListItem {
  id: string;
  title: string;
  status: RoomStatus;
  startsAt: string | null;
  myRole: RoomRole;
}

export function roomListItem(r: RoomListRow): RoomListItem {
  return { id: r.id, title: r.title, status: r.status, startsAt: r.startsAt ? iso(r.startsAt) : null, myRole: r.myRole };
}

export function attendeeView(r: AttendeeRow): AttendeeView {
  return { userId: r.userId, handle: r.handle, displayName: r.displayName, role: r.role, present: r.present };
}

/** Order of the questions list: pinned, open, answered, dismissed; then most upvoted; then oldest. */
export const QUESTION_STATUS_RANK: Record<QuestionStatus, number> = { pinned: 0, open: 1, answered: 2, dismissed: 3 };
export const QUESTION_ORDER_SQL = `CASE q.status ${Object.entries(QUESTION_STATUS_RANK)
  .map(([status, rank]) => `WHEN '${status}' THEN ${rank}`)
  .join(' ')} END, q.upvotes DESC, q.created_at, q.id`;

/**
 * Order of the attendees list: the host first, then moderators, speakers, listeners; in each,
 * those still in the room before those who left, then by when they first joined (people the
 * host app lists in one PUT join at the same moment).
 */
export const ROLE_ORDER_SQL = (t: string) =>
  `(${t}.user_id = (SELECT hr.host_id FROM room hr WHERE hr.id = ${t}.room_id)) DESC,
   CASE ${t}.role WHEN 'moderator' THEN 0 WHEN 'speaker' THEN 1 ELSE 2 END, ${t}.present DESC, ${t}.joined_at, ${t}.user_id`;
