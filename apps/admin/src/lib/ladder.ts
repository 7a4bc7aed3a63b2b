/**
 * The enforcement ladder: the actions a moderator can take on a report
 * (resolve / bulk-resolve) or directly on a user, from mildest to harshest.
 */

import {
    RESOLVE_ACTIONS,
    USER_ACTIONS,
    type ResolveAction,
    type ResolveBody,
    type SuggestedAction,
    type UserAction,
} from '@backchannel/client/admin';

/**
 * The report resolution ladder (RESOLVE_ACTIONS) and the actions that can be taken on a user
 * outside of a report (USER_ACTIONS): the enumerations of the API's ResolveDto and
 * UserActionDto, which the server declares mildest first.
 */
export { RESOLVE_ACTIONS, USER_ACTIONS, type ResolveAction, type UserAction };

export const ACTION_LABELS: Record<string, string> = {
    dismiss: 'Dismiss',
    remove_content: 'Remove content',
    warn: 'Warn',
    restrict_messaging: 'Restrict messaging',
    suspend: 'Suspend',
    ban: 'Ban',
};

/** Default durations (hours) for the time-boxed actions. */
export const DEFAULT_DURATION_HOURS: Record<string, number> = {
    restrict_messaging: 24,
    suspend: 72,
};

export function isResolveAction(value: unknown): value is ResolveAction {
    return typeof value === 'string' && (RESOLVE_ACTIONS as readonly string[]).includes(value);
}

export function isUserAction(value: unknown): value is UserAction {
    return typeof value === 'string' && (USER_ACTIONS as readonly string[]).includes(value);
}

export function actionLabel(action: unknown): string {
    if (typeof action !== 'string' || action === '') return '—';
    return ACTION_LABELS[action] ?? action.replace(/_/g, ' ');
}

/** restrict_messaging and suspend are time-boxed and take `durationHours`. */
export function needsDuration(action: unknown): boolean {
    return action === 'restrict_messaging' || action === 'suspend';
}

/** The history's SuggestedAction once on the ladder (its `none` and unknown actions parse to null). */
export type LadderSuggestion = Pick<SuggestedAction, 'durationHours'> & { action: ResolveAction };

/**
 * `suggestedAction` from GET /users/:id/history. The contract sends an action
 * name; an object `{action, durationHours}` is tolerated too. Anything that is
 * not on the ladder yields null.
 */
export function parseSuggestedAction(value: unknown): LadderSuggestion | null {
    if (isResolveAction(value)) return { action: value };
    if (value && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        if (isResolveAction(record.action)) {
            const hours = Number(record.durationHours);
            return Number.isFinite(hours) && hours > 0 ? { action: record.action, durationHours: hours } : { action: record.action };
        }
    }
    return null;
}

export interface LadderStep {
    action: ResolveAction;
    label: string;
    /** 0 = mildest. */
    level: number;
    suggested: boolean;
    /** Harsher than the suggestion (a reason to double-check). */
    aboveSuggestion: boolean;
}

/** The ladder as displayed above the resolve form, with the suggestion marked. */
export function ladderSteps(suggested: unknown): LadderStep[] {
    const parsed = parseSuggestedAction(suggested);
    const suggestedLevel = parsed ? RESOLVE_ACTIONS.indexOf(parsed.action) : -1;
    return RESOLVE_ACTIONS.map((action, level) => ({
        action,
        label: ACTION_LABELS[action],
        level,
        suggested: level === suggestedLevel,
        aboveSuggestion: suggestedLevel >= 0 && level > suggestedLevel,
    }));
}

export interface ResolveFormState {
    action: string;
    /** Raw input value (string from the <input>) or number. */
    durationHours: string | number | null | undefined;
    note: string;
}

/** Initial state of the resolve dialog: the suggestion preselected, else dismiss. */
export function initialResolveState(suggested: unknown): ResolveFormState {
    const parsed = parseSuggestedAction(suggested);
    const action: ResolveAction = parsed ? parsed.action : 'dismiss';
    return {
        action,
        durationHours: needsDuration(action) ? String(parsed?.durationHours ?? DEFAULT_DURATION_HOURS[action]) : '',
        note: '',
    };
}

/** The duration to show when the selected action changes. */
export function durationForAction(action: string, current: string | number | null | undefined): string {
    if (!needsDuration(action)) return '';
    if (current !== null && current !== undefined && String(current).trim() !== '') return String(current);
    return String(DEFAULT_DURATION_HOURS[action] ?? 24);
}

function parseHours(value: string | number | null | undefined): number | null {
    if (value === null || value === undefined) return null;
    const text = String(value).trim();
    if (text === '') return null;
    const hours = Number(text);
    return Number.isFinite(hours) ? hours : NaN;
}

/** Returns an error message, or null when the form can be submitted. */
export function validateActionForm(form: ResolveFormState, allowed: readonly string[] = RESOLVE_ACTIONS): string | null {
    if (!allowed.includes(form.action)) return 'Choose an action';
    if (needsDuration(form.action)) {
        const hours = parseHours(form.durationHours);
        if (hours === null) return 'Duration (hours) is required for this action';
        if (!Number.isInteger(hours) || hours <= 0) return 'Duration must be a whole number of hours above 0';
    }
    if (form.note.length > 2000) return 'Note is too long (2000 characters max)';
    return null;
}

/** ResolveDto's (and UserActionDto's) action, duration and note, as the form produces them. */
export type ActionPayload = Pick<ResolveBody, 'durationHours'> & { action: string; note: string };

/**
 * Body for POST /reports/:id/resolve, POST /reports/bulk-resolve (plus `ids`)
 * and POST /users/:id/actions. `durationHours` is only sent for time-boxed
 * actions.
 */
export function buildActionPayload(form: ResolveFormState): ActionPayload {
    const payload: ActionPayload = { action: form.action, note: form.note.trim() };
    if (needsDuration(form.action)) {
        const hours = parseHours(form.durationHours);
        if (hours !== null && Number.isFinite(hours)) payload.durationHours = hours;
    }
    return payload;
}
