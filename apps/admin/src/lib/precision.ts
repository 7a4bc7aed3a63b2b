import type { ReporterPrecision } from '@backchannel/client/admin';

/** How a reporter's precision reads on a report row: "67% upheld (2/3)", or that nothing of theirs was decided yet. */
export function formatPrecision(p: ReporterPrecision): { label: string; color: 'success' | 'warning' | 'error' | 'default' } {
    if (p.precision === null) return { label: 'no decided reports', color: 'default' };
    const closed = p.upheld + p.dismissed;
    const label = `${Math.round(p.precision * 100)}% upheld (${p.upheld}/${closed})`;
    if (closed >= 3 && p.precision < 0.25) return { label, color: 'error' };
    return { label, color: p.precision >= 0.5 ? 'success' : 'warning' };
}
