import { useApiQuery } from '../common/useApi';
import type { UserHistory } from '@backchannel/client/admin';

/** GET /admin/v1/users/:id/history (disabled when userId is empty). */
export const useUserHistory = (userId: unknown) => {
    const id = userId === null || userId === undefined || userId === '' ? null : String(userId);
    return useApiQuery<UserHistory>(id ? `users/${id}/history` : null, dp => dp.userHistory(id as string));
};
