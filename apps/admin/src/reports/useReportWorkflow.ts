import { useCallback } from 'react';
import { useGetIdentity, type Identifier } from 'react-admin';
import { useBackchannel, useRole, useRunner } from '../common/useApi';
import type { ActionBody } from '../lib/api';
import { can } from '../lib/roles';
import type { Report } from '@backchannel/client/admin';

export const SHORTCUT_DISMISS_NOTE = 'Dismissed from the queue (keyboard shortcut)';

/** Claim / escalate / resolve for one report, with role checks. */
export function useReportWorkflow(report: Partial<Report> | undefined) {
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const role = useRole();
    const { identity } = useGetIdentity();

    const id = report?.id as Identifier | undefined;
    const unresolved = !!report && report.status !== 'resolved';
    const claimedByMe = !!report?.assigneeId && !!identity && String(report.assigneeId) === String(identity.id);
    const claimedByOther = !!report?.assigneeId && !claimedByMe;

    const claim = useCallback(
        () => (id === undefined ? Promise.resolve(undefined) : run('claim', () => dataProvider.claim(id), { success: 'Report claimed' })),
        [dataProvider, id, run],
    );
    const dismiss = useCallback(
        () =>
            id === undefined
                ? Promise.resolve(undefined)
                : run('dismiss', () => dataProvider.resolve(id, { action: 'dismiss', note: SHORTCUT_DISMISS_NOTE }), {
                      success: 'Report dismissed',
                  }),
        [dataProvider, id, run],
    );
    const escalate = useCallback(
        (note: string) =>
            id === undefined
                ? Promise.resolve(undefined)
                : run('escalate', () => dataProvider.escalate(id, { note }), { success: 'Report escalated' }),
        [dataProvider, id, run],
    );
    const resolve = useCallback(
        (body: ActionBody) =>
            id === undefined
                ? Promise.resolve(undefined)
                : run('resolve', () => dataProvider.resolve(id, body), { success: 'Report resolved' }),
        [dataProvider, id, run],
    );

    return {
        role,
        pending,
        claimedByMe,
        claimedByOther,
        canClaim: unresolved && can(role, 'reports', 'claim'),
        canResolve: unresolved && can(role, 'reports', 'resolve'),
        canEscalate: !!report && report.status === 'open' && can(role, 'reports', 'escalate'),
        claim,
        dismiss,
        escalate,
        resolve,
    };
}
