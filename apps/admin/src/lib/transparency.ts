import type { Transparency, TransparencyDaily } from '@backchannel/client/admin';

/** One row per count: section, key, value. The period is stated on every row so a pasted excerpt keeps it. */
export function transparencyRows(t: Transparency): Array<[string, string, number | string]> {
    const rows: Array<[string, string, number | string]> = [];
    rows.push(['reports', 'total', t.reports.total]);
    for (const [k, v] of Object.entries(t.reports.byReason).sort()) rows.push(['reports.byReason', k, v]);
    for (const [k, v] of Object.entries(t.reports.bySource).sort()) rows.push(['reports.bySource', k, v]);
    rows.push(['actions', 'total', t.actions.total]);
    for (const [k, v] of Object.entries(t.actions.byAction).sort()) rows.push(['actions.byAction', k, v]);
    rows.push(['actions', 'automated', t.actions.automated]);
    rows.push(['appeals', 'total', t.appeals.total]);
    rows.push(['appeals', 'upheld', t.appeals.upheld]);
    rows.push(['appeals', 'rejected', t.appeals.rejected]);
    rows.push(['time', 'medianHoursToAction', t.medianHoursToAction === null ? '' : t.medianHoursToAction]);
    return rows;
}

const cell = (v: unknown) => {
    const s = String(v ?? '');
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** RFC 4180 CSV of the report: from,to,section,key,value. */
export function transparencyCsv(t: Transparency): string {
    const lines = [['from', 'to', 'section', 'key', 'value'].join(',')];
    for (const [section, key, value] of transparencyRows(t)) lines.push([t.from, t.to, section, key, value].map(cell).join(','));
    return `${lines.join('\r\n')}\r\n`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const humanKey = (key: string) => {
    const text = key.replace(/[_-]+/g, ' ').trim();
    return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
};
/** "Spam 2, Harassment 1": counts, most first, then by name. */
const countsText = (counts: Record<string, number>) =>
    Object.entries(counts)
        .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
        .map(([k, v]) => `${humanKey(k)} ${v}`)
        .join(', ');

/** Every reason seen in the series, in a stable order (the chart's stacks and the table's columns). */
export function reasonsOf(daily: TransparencyDaily): string[] {
    return [...new Set(daily.days.flatMap(d => Object.keys(d.reports.byReason)))].sort();
}

/** One row per day: `{day, <reason>: count, …}`, zeros filled in (the stacked bars). */
export function reasonRows(daily: TransparencyDaily): Array<Record<string, string | number>> {
    const reasons = reasonsOf(daily);
    return daily.days.map(d => ({ day: d.day, ...Object.fromEntries(reasons.map(r => [r, d.reports.byReason[r] ?? 0])) }));
}

/** What the reports-over-time chart shows, in a sentence (its accessible name). */
export function reasonsSummary(daily: TransparencyDaily): string {
    const totals: Record<string, number> = {};
    for (const d of daily.days) for (const [k, v] of Object.entries(d.reports.byReason)) totals[k] = (totals[k] ?? 0) + v;
    const total = Object.values(totals).reduce((n, v) => n + v, 0);
    const busiest = [...daily.days].sort((a, b) => b.reports.total - a.reports.total || a.day.localeCompare(b.day))[0];
    if (total === 0) return `Reports by reason per day over ${plural(daily.days.length, 'day')}: no reports.`;
    return (
        `Reports by reason per day over ${plural(daily.days.length, 'day')}: ${plural(total, 'report')} (${countsText(totals)}); ` +
        `the busiest day was ${busiest.day} with ${plural(busiest.reports.total, 'report')}.`
    );
}

/** What the actions chart shows, in a sentence. */
export function actionsSummary(t: Transparency): string {
    if (t.actions.total === 0) return 'Actions by type: none in the period.';
    return `Actions by type: ${plural(t.actions.total, 'action')} (${countsText(t.actions.byAction)}), ${t.actions.automated} automated.`;
}

const hours = (h: number) => `${h} ${h === 1 ? 'hour' : 'hours'}`;

/** What the median-time chart shows, in a sentence. */
export function medianSummary(t: Transparency, daily: TransparencyDaily): string {
    if (t.medianHoursToAction === null) return 'Median time to action: no report was decided with an action in the period.';
    const days = daily.days.filter(d => d.medianHoursToAction !== null);
    const slowest = [...days].sort((a, b) => (b.medianHoursToAction ?? 0) - (a.medianHoursToAction ?? 0))[0];
    return (
        `Median time to action over the period: ${hours(t.medianHoursToAction)}, from filing to a decision that took action; ` +
        `${plural(days.length, 'day')} with decisions` +
        (slowest ? `, the slowest ${slowest.day} at ${hours(slowest.medianHoursToAction ?? 0)}.` : '.')
    );
}
