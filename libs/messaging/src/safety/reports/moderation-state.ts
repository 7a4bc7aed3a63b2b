import { AlreadyClaimed, Conflict, type DomainError, Unprocessable } from '../../errors';

/**
 * How a report and a case move under staff events (Ozone's review states): one pure
 * function each, so every staff write checks the same rules. A transition is refused (the
 * error the route answers), leaves the subject as it is (an idempotent repeat), or names the
 * next state, which ModerationEvents stores with its audit entry.
 */

export interface ModerationStaff {
  id: string;
  role: 'admin' | 'moderator' | 'triage';
}

export interface ReportState {
  status: 'open' | 'escalated' | 'resolved';
  assigneeId: string | null;
}

export type ReportEvent =
  | { type: 'claim'; staff: ModerationStaff }
  | { type: 'escalate'; staff: ModerationStaff; note: string | null }
  | { type: 'resolve'; staff: ModerationStaff };

export interface CaseState {
  status: 'open' | 'resolved';
  assigneeId: string | null;
}

/** `assignee`: the staff row named by assigneeId (null when there is none). */
export type CaseEvent =
  | { type: 'claim'; staff: ModerationStaff }
  | { type: 'assign'; staff: ModerationStaff; assigneeId: string | null; assignee: { role: string; disabled: boolean } | null }
  | { type: 'resolve'; staff: ModerationStaff };

/** An event that may happen: it changes nothing, or it names the next state. */
export type Decided<S> = { refused?: undefined; changed: false } | { refused?: undefined; changed: true; next: S };
export type Transition<S> = { refused: DomainError } | Decided<S>;

const refuse = (error: DomainError) => ({ refused: error });
const same = { changed: false as const };

export function nextReportState(current: ReportState, event: ReportEvent): Transition<ReportState> {
  if (current.status === 'resolved') return refuse(new Conflict('This report is already resolved.'));
  switch (event.type) {
    case 'claim':
      if (current.assigneeId === event.staff.id) return same;
      if (current.assigneeId) return refuse(new AlreadyClaimed());
      return { changed: true, next: { status: current.status, assigneeId: event.staff.id } };
    case 'escalate':
      // Handed up, unassigned so a senior moderator can claim it; escalating again changes nothing.
      if (current.status === 'escalated') return same;
      return { changed: true, next: { status: 'escalated', assigneeId: null } };
    case 'resolve':
      // Another's claim binds everyone but admins.
      if (current.assigneeId && current.assigneeId !== event.staff.id && event.staff.role !== 'admin') return refuse(new AlreadyClaimed());
      return { changed: true, next: { status: 'resolved', assigneeId: current.assigneeId ?? event.staff.id } };
  }
}

export function nextCaseState(current: CaseState, event: CaseEvent): Transition<CaseState> {
  if (current.status === 'resolved') return refuse(new Conflict('This case is already resolved.'));
  switch (event.type) {
    case 'claim':
      if (current.assigneeId === event.staff.id) return same;
      if (current.assigneeId) return refuse(new AlreadyClaimed('Another moderator has claimed this case.'));
      return { changed: true, next: { status: 'open', assigneeId: event.staff.id } };
    case 'assign':
      if (event.assigneeId !== null) {
        if (!event.assignee || event.assignee.disabled) return refuse(new Unprocessable('No such active staff member to assign.'));
        if (event.assignee.role === 'triage') return refuse(new Unprocessable('A case can only be assigned to a moderator or an admin.'));
      }
      if (current.assigneeId === event.assigneeId) return same;
      return { changed: true, next: { status: 'open', assigneeId: event.assigneeId } };
    case 'resolve':
      if (current.assigneeId && current.assigneeId !== event.staff.id && event.staff.role !== 'admin') {
        return refuse(new AlreadyClaimed('Another moderator has claimed this case.'));
      }
      return { changed: true, next: { status: 'resolved', assigneeId: current.assigneeId ?? event.staff.id } };
  }
}
