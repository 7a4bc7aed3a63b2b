/** Display helpers shared by lists, show pages and the dashboard. */

export type ChipColor = 'default' | 'primary' | 'secondary' | 'error' | 'info' | 'success' | 'warning';

export type PriorityBand = 'critical' | 'high' | 'normal' | 'low';

/**
 * Priority is a number where higher means more urgent (lists sort it DESC).
 * Bands are display-only.
 */
export function priorityBand(priority: unknown): PriorityBand | null {
    const value = typeof priority === 'number' ? priority : Number(priority);
    if (priority === null || priority === undefined || priority === '' || !Number.isFinite(value)) return null;
    if (value >= 80) return 'critical';
    if (value >= 50) return 'high';
    if (value >= 20) return 'normal';
    return 'low';
}

const BAND_COLOR: Record<PriorityBand, ChipColor> = {
    critical: 'error',
    high: 'warning',
    normal: 'info',
    low: 'default',
};

export function formatPriority(priority: unknown): { label: string; color: ChipColor } {
    const band = priorityBand(priority);
    if (!band) return { label: '—', color: 'default' };
    const value = Number(priority);
    const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
    return { label: `${shown} · ${band}`, color: BAND_COLOR[band] };
}

/** 95 -> "1h 35m", 3000 -> "2d 2h", 0.4 -> "<1m". */
export function formatMinutes(minutes: unknown): string {
    if (minutes === null || minutes === undefined || minutes === '') return '—';
    const value = Number(minutes);
    if (!Number.isFinite(value)) return '—';
    const total = Math.abs(value);
    if (total < 1) return '<1m';
    const rounded = Math.round(total);
    const days = Math.floor(rounded / 1440);
    const hours = Math.floor((rounded % 1440) / 60);
    const mins = rounded % 60;
    if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
    if (hours > 0) return mins > 0 ? `${hours}h ${mins}m` : `${hours}h`;
    return `${mins}m`;
}

function toTime(value: unknown): number | null {
    if (value === null || value === undefined || value === '') return null;
    const time = value instanceof Date ? value.getTime() : new Date(value as string | number).getTime();
    return Number.isFinite(time) ? time : null;
}

/** SLA text for a report: "due in 2h 5m", "overdue by 30m", or "—". */
export function formatDue(dueAt: unknown, now: number, overdueFlag?: unknown): { label: string; overdue: boolean } {
    const due = toTime(dueAt);
    if (due === null) return { label: overdueFlag === true ? 'overdue' : '—', overdue: overdueFlag === true };
    const diffMinutes = (due - now) / 60000;
    const overdue = overdueFlag === true || diffMinutes < 0;
    if (diffMinutes < 0) return { label: `overdue by ${formatMinutes(-diffMinutes)}`, overdue };
    return { label: `due in ${formatMinutes(diffMinutes)}`, overdue };
}

/** "3m ago", "in 2h" relative to now. */
export function formatRelative(value: unknown, now: number): string {
    const time = toTime(value);
    if (time === null) return '—';
    const diffMinutes = (time - now) / 60000;
    if (Math.abs(diffMinutes) < 1) return 'just now';
    return diffMinutes < 0 ? `${formatMinutes(-diffMinutes)} ago` : `in ${formatMinutes(diffMinutes)}`;
}

export function verdictColor(verdict: unknown): ChipColor {
    switch (verdict) {
        case 'safe':
            return 'success';
        case 'suspicious':
            return 'warning';
        case 'malicious':
            return 'error';
        default:
            return 'default';
    }
}

export function statusColor(status: unknown): ChipColor {
    switch (status) {
        case 'open':
            return 'info';
        case 'escalated':
            return 'warning';
        case 'resolved':
            return 'success';
        case 'active':
            return 'success';
        case 'suspended':
            return 'warning';
        case 'banned':
            return 'error';
        case 'upheld':
            return 'success';
        case 'denied':
            return 'error';
        default:
            return 'default';
    }
}

/** "self_harm" -> "Self harm". */
export function humanize(value: unknown): string {
    if (value === null || value === undefined || value === '') return '—';
    const text = String(value)
        .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
        .replace(/[_-]+/g, ' ')
        .trim();
    return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
}

/** Choices for react-admin SelectInput from a list of enum values. */
export function choicesOf(values: readonly string[]): { id: string; name: string }[] {
    return values.map(value => ({ id: value, name: humanize(value) }));
}

/** Short, single-line rendering of any JSON-ish value for tables. */
export function shortValue(value: unknown, max = 80): string {
    if (value === null || value === undefined) return '—';
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
    else {
        try {
            text = JSON.stringify(value);
        } catch {
            text = String(value);
        }
    }
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "@handle · Display name" for pickers (user records from /users). */
export function userOption(user: { handle?: unknown; displayName?: unknown; id?: unknown } | null | undefined): string {
    if (!user) return '';
    const handle = user.handle ? `@${String(user.handle)}` : `user ${String(user.id ?? '').slice(0, 8)}`;
    return user.displayName && user.displayName !== user.handle ? `${handle} · ${String(user.displayName)}` : handle;
}
