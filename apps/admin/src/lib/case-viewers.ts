/** Who else has a case open (the staff socket's `case.viewing` / `case.viewers`), as the case page shows it. */

export interface CaseViewer {
    staffId: string;
    displayName: string;
}

export interface CaseViewersState {
    caseId: string;
    /** The highest version seen; -1 before the first list. */
    version: number;
    viewers: CaseViewer[];
}

export const emptyViewers = (caseId: string): CaseViewersState => ({ caseId, version: -1, viewers: [] });

/**
 * Takes a list from the server when it is about this case and newer than the one held: two
 * lists may arrive out of order (from two API processes), and the version orders them.
 */
export function applyViewers(state: CaseViewersState, update: unknown): CaseViewersState {
    if (!update || typeof update !== 'object') return state;
    const u = update as Partial<CaseViewersState>;
    if (u.caseId !== state.caseId || typeof u.version !== 'number' || !Array.isArray(u.viewers)) return state;
    if (u.version <= state.version) return state;
    const viewers = u.viewers
        .filter((v): v is CaseViewer => !!v && typeof v.staffId === 'string')
        .map(v => ({
            staffId: v.staffId,
            displayName: typeof v.displayName === 'string' && v.displayName ? v.displayName : 'A colleague',
        }));
    return { caseId: state.caseId, version: u.version, viewers };
}

/** The others (not me), by name: "Alice" / "Alice and Bob" / "Alice, Bob and Carol"; '' when no one else. */
export function othersViewing(state: CaseViewersState, myStaffId: string | undefined): string {
    const names = state.viewers.filter(v => v.staffId !== myStaffId).map(v => v.displayName);
    if (names.length <= 1) return names[0] ?? '';
    return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
