import type { Transparency } from '@backchannel/client/admin';

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
