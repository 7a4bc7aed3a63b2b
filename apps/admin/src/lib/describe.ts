/**
 * Plain words for what the API returns as codes and JSON: a report's resolution as a
 * sentence, spam signals, and what a blocklist entry will match.
 */
import { actionLabel } from './ladder';

const hoursText = (hours: number): string =>
    hours % 24 === 0 && hours >= 48 ? `${hours / 24} days` : hours === 24 ? '1 day' : `${hours} hour${hours === 1 ? '' : 's'}`;

/** "Suspended the user for 3 days. Note: “…”" from {action, durationHours?, note?}. */
export function resolutionSentence(resolution: unknown, who?: string | null): string {
    if (resolution === null || resolution === undefined) return 'Not resolved yet.';
    if (typeof resolution === 'string') return resolution;
    if (typeof resolution !== 'object') return String(resolution);
    const r = resolution as Record<string, unknown>;
    const subject = who ? who : 'the user';
    const hours = typeof r.durationHours === 'number' && r.durationHours > 0 ? r.durationHours : null;
    const verb: Record<string, string> = {
        dismiss: 'Dismissed: no violation found',
        remove_content: 'Removed the reported content',
        warn: `Warned ${subject}`,
        restrict_messaging: `Restricted ${subject} from messaging${hours ? ` for ${hoursText(hours)}` : ''}`,
        suspend: `Suspended ${subject}${hours ? ` for ${hoursText(hours)}` : ''}`,
        ban: `Banned ${subject}`,
    };
    const action = typeof r.action === 'string' ? r.action : '';
    let text = `${verb[action] ?? `Resolved with “${actionLabel(action)}”`}.`;
    if (typeof r.note === 'string' && r.note.trim()) text += ` Note: “${r.note.trim()}”`;
    return text;
}

export interface SpamSignals {
    requestsSent?: unknown;
    declined?: unknown;
    reported?: unknown;
    duplicateTexts?: unknown;
    score?: unknown;
    flagged?: unknown;
    requestLimitFactor?: unknown;
}

const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : Number(v) || 0);
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Sentences for the spam-signal block of a user's history (never "Flagged false"). */
export function spamSignalLines(spam: SpamSignals | null | undefined): string[] {
    if (!spam) return ['No message requests sent, so no spam signals.'];
    const sent = n(spam.requestsSent);
    const lines = [
        spam.flagged === true
            ? `Looks like spam: score ${n(spam.score)}, at or above the queue threshold.`
            : `Not flagged as spam (score ${n(spam.score)}, below the queue threshold).`,
        `${plural(sent, 'message request')} sent; ${n(spam.declined)} declined, ${n(spam.reported)} reported.`,
    ];
    if (n(spam.duplicateTexts) > 0) lines.push(`${plural(n(spam.duplicateTexts), 'request')} repeated the same text.`);
    const factor = n(spam.requestLimitFactor);
    if (factor > 0 && factor < 1) lines.push(`Request limit tightened to ${Math.round(factor * 100)}% of normal.`);
    return lines;
}

// RFC 3492 punycode decoding (for showing xn-- hosts as people read them).
const BASE = 36,
    TMIN = 1,
    TMAX = 26,
    SKEW = 38,
    DAMP = 700,
    INITIAL_BIAS = 72,
    INITIAL_N = 128;
function adapt(delta: number, numPoints: number, first: boolean): number {
    delta = first ? Math.floor(delta / DAMP) : delta >> 1;
    delta += Math.floor(delta / numPoints);
    let k = 0;
    while (delta > ((BASE - TMIN) * TMAX) >> 1) {
        delta = Math.floor(delta / (BASE - TMIN));
        k += BASE;
    }
    return k + Math.floor(((BASE - TMIN + 1) * delta) / (delta + SKEW));
}
function digit(c: number): number {
    if (c >= 48 && c <= 57) return c - 22;
    if (c >= 65 && c <= 90) return c - 65;
    if (c >= 97 && c <= 122) return c - 97;
    return BASE;
}
/** Decodes one punycode label (without "xn--"); null when it is not valid punycode. */
export function decodePunycodeLabel(input: string): string | null {
    const output: number[] = [];
    const basic = input.lastIndexOf('-');
    for (let j = 0; j < Math.max(basic, 0); j++) {
        if (input.charCodeAt(j) >= 0x80) return null;
        output.push(input.charCodeAt(j));
    }
    let i = 0,
        nCode = INITIAL_N,
        bias = INITIAL_BIAS;
    for (let index = basic > 0 ? basic + 1 : 0; index < input.length;) {
        const oldi = i;
        for (let w = 1, k = BASE; ; k += BASE) {
            if (index >= input.length) return null;
            const d = digit(input.charCodeAt(index++));
            if (d >= BASE) return null;
            i += d * w;
            const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
            if (d < t) break;
            w *= BASE - t;
        }
        bias = adapt(i - oldi, output.length + 1, oldi === 0);
        nCode += Math.floor(i / (output.length + 1));
        i %= output.length + 1;
        output.splice(i++, 0, nCode);
    }
    try {
        return String.fromCodePoint(...output);
    } catch {
        return null;
    }
}
export function hostToUnicode(host: string): string {
    return host
        .split('.')
        .map(label => (/^xn--/i.test(label) ? (decodePunycodeLabel(label.slice(4).toLowerCase()) ?? label) : label))
        .join('.');
}

export interface BlocklistMatch {
    /** What will be stored (the server normalises the same way). */
    pattern: string;
    /** The host as people read it, when it differs (punycode decoded). */
    unicode: string | null;
    /** Sentences: what it matches, and warnings. */
    matches: string[];
    warnings: string[];
}

/** What a blocklist entry will match, as the console shows it before saving. */
export function describeBlocklistEntry(kind: unknown, input: unknown): BlocklistMatch | null {
    const raw = typeof input === 'string' ? input.trim() : '';
    if (!raw) return null;
    if (kind === 'url') {
        try {
            const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
            const unicode = hostToUnicode(url.hostname);
            return {
                pattern: url.href,
                unicode: unicode !== url.hostname ? url.href.replace(url.hostname, unicode) : null,
                matches: [`Links starting with ${url.href}`],
                warnings: [],
            };
        } catch {
            return null;
        }
    }
    let host: string;
    try {
        const bare = raw.replace(/^\*?\.+/, '');
        host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(bare) ? bare : `http://${bare}`).hostname.replace(/\.+$/, '');
    } catch {
        return null;
    }
    if (!host) return null;
    const unicode = hostToUnicode(host);
    const shown = unicode !== host ? `${unicode} (${host})` : host;
    const warnings: string[] = [];
    const typed = raw.toLowerCase().replace(/\.+$/, '');
    if (host !== typed && unicode !== typed) warnings.push(`Only the host is kept: ${host}.`);
    if (host.startsWith('www.')) {
        warnings.push(
            `${host} does not cover ${host.slice(4)} itself or its other subdomains; enter ${host.slice(4)} to block the whole domain.`,
        );
    }
    if (!host.includes('.')) warnings.push('A domain needs at least one dot (e.g. evil.example).');
    return {
        pattern: host,
        unicode: unicode !== host ? unicode : null,
        matches: [`${shown} itself`, `every subdomain of it (e.g. shop.${unicode}, a.b.${unicode})`],
        warnings,
    };
}

const LIFTABLE = new Set(['restrict_messaging', 'suspend', 'ban']);

/** A restriction, suspension or ban still in force (not lifted, not run out). */
export function isLiftable(
    action: { action?: unknown; liftedAt?: unknown; expiresAt?: unknown; active?: unknown },
    now = Date.now(),
): boolean {
    if (!LIFTABLE.has(String(action.action))) return false;
    if (action.liftedAt) return false;
    if (action.active === false) return false;
    return !action.expiresAt || Date.parse(String(action.expiresAt)) > now;
}

/** "Active until …", "Lifted …", "Ended …", or "Permanent" for a ban still in force. */
export function actionState(
    action: { action?: unknown; liftedAt?: unknown; expiresAt?: unknown },
    now = Date.now(),
): { label: string; inForce: boolean } {
    const at = (v: unknown) => new Date(String(v)).toLocaleString();
    if (action.liftedAt) return { label: `Lifted ${at(action.liftedAt)}`, inForce: false };
    if (!LIFTABLE.has(String(action.action))) return { label: 'Done', inForce: false };
    if (!action.expiresAt) return { label: 'In force (permanent)', inForce: true };
    return Date.parse(String(action.expiresAt)) > now
        ? { label: `In force until ${at(action.expiresAt)}`, inForce: true }
        : { label: `Ended ${at(action.expiresAt)}`, inForce: false };
}

/** Every audit-log action the server writes, for the "What" filter. */
export const AUDIT_ACTIONS = [
    'report.read',
    'report.claim',
    'report.escalate',
    'report.resolve',
    'user.history.read',
    'user.warn',
    'user.restrict_messaging',
    'user.suspend',
    'user.ban',
    'action.lift',
    'appeal.uphold',
    'appeal.deny',
    'spam_requests.read',
    'link.label',
    'blocklist.create',
    'blocklist.delete',
    'staff.login',
    'staff.create',
    'staff.update',
] as const;

const AUDIT_WORDS: Record<string, string> = {
    'report.read': 'Read a report',
    'report.claim': 'Claimed a report',
    'report.escalate': 'Escalated a report',
    'report.resolve': 'Resolved a report',
    'user.history.read': 'Read a user’s history',
    'user.warn': 'Warned a user',
    'user.restrict_messaging': 'Restricted a user’s messaging',
    'user.suspend': 'Suspended a user',
    'user.ban': 'Banned a user',
    'action.lift': 'Lifted an action early',
    'appeal.uphold': 'Upheld an appeal',
    'appeal.deny': 'Denied an appeal',
    'spam_requests.read': 'Read spam requests',
    'link.label': 'Labelled a link',
    'blocklist.create': 'Added to the blocklist',
    'blocklist.delete': 'Removed from the blocklist',
    'staff.login': 'Signed in',
    'staff.create': 'Added a staff member',
    'staff.update': 'Changed a staff member',
};

export function auditActionLabel(action: unknown): string {
    const a = String(action ?? '');
    return AUDIT_WORDS[a] ?? a.replace(/[._]/g, ' ');
}
