import { useCallback } from 'react';
import { useNotify, useRedirect, useStore, type Identifier } from 'react-admin';
import type { Report } from '@backchannel/client/admin';
import { useBackchannel } from '../common/useApi';
import { adjacentId } from '../lib/shortcuts';

interface StoredListParams {
    sort?: string;
    order?: 'ASC' | 'DESC';
    filter?: Record<string, unknown>;
}

/**
 * Navigates to the next/previous report of the queue as the list shows it
 * (same filters and sort, read from react-admin's store; default: open reports, priority DESC).
 * After a resolution (afterResolve) the resolved report has left the queue, so this opens
 * the queue's first report, or returns to the list when none is left.
 */
export function useAdjacentReport(currentId: Identifier | undefined) {
    const dataProvider = useBackchannel();
    const redirect = useRedirect();
    const notify = useNotify();
    const [params] = useStore<StoredListParams>('reports.listParams', {});

    return useCallback(
        async (step: 1 | -1, afterResolve = false) => {
            try {
                const { data } = await dataProvider.getList<Report>('reports', {
                    pagination: { page: 1, perPage: 100 },
                    sort: { field: params?.sort || 'priority', order: params?.order || 'DESC' },
                    // The queue as the list shows it; by default the open reports (the list's default too).
                    filter: params?.filter ?? { status: 'open' },
                });
                const target = adjacentId(
                    (data ?? []).map(r => r.id),
                    currentId ?? null,
                    step,
                );
                if (target === null && afterResolve) {
                    notify('No more open reports in the queue', { type: 'info' });
                    redirect('list', 'reports');
                    return;
                }
                if (target === null) {
                    notify(step === 1 ? 'No more reports in the queue' : 'This is the first report of the queue', { type: 'info' });
                    return;
                }
                redirect('show', 'reports', target);
            } catch (error) {
                notify(error instanceof Error ? error.message : 'Could not load the queue', { type: 'error' });
            }
        },
        [currentId, dataProvider, notify, params, redirect],
    );
}
