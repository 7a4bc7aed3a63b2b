/**
 * Keyboard shortcuts of the report queue (list and show pages):
 *   j  next report      c  claim
 *   k  previous report  d  dismiss
 *   r  open the resolve dialog
 * Ignored while typing (inputs, textareas, selects, contenteditable), with a
 * modifier held, or on auto-repeat.
 */

export type ShortcutCommand = 'next' | 'previous' | 'claim' | 'dismiss' | 'resolve';

export const SHORTCUTS: Record<string, ShortcutCommand> = {
    j: 'next',
    k: 'previous',
    c: 'claim',
    d: 'dismiss',
    r: 'resolve',
};

export const SHORTCUT_HELP: { key: string; command: ShortcutCommand; label: string }[] = [
    { key: 'j', command: 'next', label: 'next report' },
    { key: 'k', command: 'previous', label: 'previous report' },
    { key: 'c', command: 'claim', label: 'claim' },
    { key: 'd', command: 'dismiss', label: 'dismiss' },
    { key: 'r', command: 'resolve', label: 'resolve…' },
];

/** The parts of a DOM element we look at (kept structural for testing). */
export interface TargetLike {
    tagName?: string;
    isContentEditable?: boolean;
    type?: string;
}

export interface KeyEventLike {
    key: string;
    ctrlKey?: boolean;
    metaKey?: boolean;
    altKey?: boolean;
    repeat?: boolean;
    defaultPrevented?: boolean;
    target?: TargetLike | null;
}

const NON_TEXT_INPUT_TYPES = ['checkbox', 'radio', 'button', 'submit', 'reset'];

/** True when keystrokes on this element are text entry. */
export function isTypingTarget(target: TargetLike | null | undefined): boolean {
    if (!target) return false;
    if (target.isContentEditable) return true;
    const tag = (target.tagName ?? '').toUpperCase();
    if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
    if (tag === 'INPUT') {
        const type = (target.type ?? 'text').toLowerCase();
        return !NON_TEXT_INPUT_TYPES.includes(type);
    }
    return false;
}

/** Maps a keydown to a command, or null when it should be left alone. */
export function shortcutFor(event: KeyEventLike): ShortcutCommand | null {
    if (event.defaultPrevented || event.repeat) return null;
    if (event.ctrlKey || event.metaKey || event.altKey) return null;
    if (isTypingTarget(event.target)) return null;
    return SHORTCUTS[event.key] ?? null;
}

type Id = string | number;

/**
 * The id after (or before, with step -1) `current` in `ids`, clamped at the
 * ends. When `current` is not in the list (e.g. just resolved and filtered
 * out), the first other id is returned.
 */
export function adjacentId(ids: readonly Id[], current: Id | null | undefined, step: 1 | -1 = 1): Id | null {
    if (ids.length === 0) return null;
    const index = current === null || current === undefined ? -1 : ids.findIndex(id => String(id) === String(current));
    if (index === -1) {
        const other = ids.find(id => String(id) !== String(current));
        return other ?? null;
    }
    const next = index + step;
    if (next < 0 || next >= ids.length) return null;
    return ids[next];
}

/** Cursor movement in a list of `length` rows (no wrap; -1 = no cursor yet). */
export function moveCursor(cursor: number, length: number, step: 1 | -1): number {
    if (length <= 0) return -1;
    if (cursor < 0 || cursor >= length) return step === 1 ? 0 : length - 1;
    return Math.min(length - 1, Math.max(0, cursor + step));
}
