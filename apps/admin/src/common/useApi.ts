import { useQuery } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { useDataProvider, useNotify, usePermissions, useRefresh } from 'react-admin';
import { errorMessage } from '../lib/errors';
import { can, isRole, type Role } from '../lib/roles';
import type { BackchannelDataProvider } from '../providers/dataProvider';

/** The dataProvider with our extra methods (401s still log out). */
export const useBackchannel = () => useDataProvider<BackchannelDataProvider>();

export interface ApiQuery<T> {
    data: T | undefined;
    error: unknown;
    isPending: boolean;
    refetch: () => void;
}

/**
 * Runs `fetcher` whenever `key` changes (null = disabled), through react-query so that
 * react-admin's refresh (after every mutation run by useRunner) fetches it again: the
 * subject panel is current after an action.
 */
export function useApiQuery<T>(key: string | null, fetcher: (dp: BackchannelDataProvider) => Promise<{ data: T }>): ApiQuery<T> {
    const dataProvider = useBackchannel();
    const fetcherRef = useRef(fetcher);
    fetcherRef.current = fetcher;
    const query = useQuery({
        queryKey: ['backchannel', key],
        queryFn: async () => (await fetcherRef.current(dataProvider)).data,
        enabled: key !== null,
        retry: false,
    });
    const { refetch: again } = query;
    const refetch = useCallback(() => void again(), [again]);
    return {
        data: key === null ? undefined : query.data,
        error: key === null ? undefined : (query.error ?? undefined),
        isPending: key !== null && query.isPending,
        refetch,
    };
}

export interface RunOptions {
    success?: string;
    /** refresh react-admin queries afterwards (default true) */
    refresh?: boolean;
}

/**
 * Runs a mutation with a pending flag, success/error notifications (the
 * error notification shows the API's "message (code)") and a refresh.
 */
export function useRunner() {
    const notify = useNotify();
    const refresh = useRefresh();
    const [pending, setPending] = useState<string | null>(null);
    const run = useCallback(
        async <T>(label: string, task: () => Promise<T>, options: RunOptions = {}): Promise<T | undefined> => {
            setPending(label);
            try {
                const result = await task();
                if (options.success) notify(options.success, { type: 'success', messageArgs: { _: options.success } });
                if (options.refresh !== false) refresh();
                return result;
            } catch (error) {
                const message = errorMessage(error);
                notify(message, { type: 'error', messageArgs: { _: message } });
                return undefined;
            } finally {
                setPending(null);
            }
        },
        [notify, refresh],
    );
    return { run, pending };
}

/** The signed-in staff role (undefined while loading). */
export function useRole(): Role | undefined {
    const { permissions } = usePermissions<unknown>();
    return isRole(permissions) ? permissions : undefined;
}

/** Synchronous role check against lib/roles.ts (false while loading). */
export function useCan(resource: string, action: string): boolean {
    return can(useRole(), resource, action);
}
