/** Staff roles, lowest to highest rank; a route's minimum role admits every higher one (apps/api/src/http/auth.ts). */
export type StaffRole = 'admin' | 'moderator' | 'triage';
export const STAFF_ROLE_RANK: Record<StaffRole, number> = { triage: 1, moderator: 2, admin: 3 };
