/**
 * Staff roles and the console's access matrix.
 *
 * Roles are nested: admin ⊃ moderator ⊃ triage. Each (resource, action) pair
 * names the *lowest* role allowed to perform it. The matrix is used both by
 * the authProvider's `canAccess` (menu entries, routes, react-admin buttons)
 * and by our own custom buttons (claim, resolve, ...). The API enforces the
 * same rules; this only avoids showing buttons that would fail with a 403.
 */

import { STAFF_ROLES, type StaffRole } from '@backchannel/client/admin';

/** The API's staff roles (StaffMember.role). */
export type Role = StaffRole;

export const ROLES: readonly Role[] = ['triage', 'moderator', 'admin'];

const RANK: Record<Role, number> = { triage: 1, moderator: 2, admin: 3 };

export function isRole(value: unknown): value is Role {
    return (STAFF_ROLES as readonly unknown[]).includes(value);
}

/** True when `role` is at least `minimum` (unknown roles are never enough). */
export function atLeast(role: unknown, minimum: Role): boolean {
    if (!isRole(role)) return false;
    return RANK[role] >= RANK[minimum];
}

/** Read-only actions react-admin asks about for list/show pages. */
const READ: Record<string, Role> = { list: 'triage', show: 'triage', export: 'triage' };

/**
 * resource -> action -> minimum role. Custom action names are ours:
 *  - reports: claim, resolve, bulkResolve (moderator), escalate (triage)
 *  - users / spam-requests: userAction (moderator); users: dmTools (dm-access, DM statistics, conversation lock: moderator)
 *  - links: label (verdict override; triage may label)
 *  - appeals: decide (moderator)
 *  - rules: test (triage: it changes nothing); held-messages: decide (approve / reject, moderator)
 */
export const ACCESS: Record<string, Record<string, Role>> = {
    cases: { ...READ, claim: 'moderator', resolve: 'moderator', message: 'moderator' },
    templates: { ...READ, create: 'admin', edit: 'admin', delete: 'admin' },
    policies: { ...READ, create: 'admin', edit: 'admin', delete: 'admin' },
    transparency: { list: 'admin', show: 'admin', export: 'admin' },
    reports: { ...READ, escalate: 'triage', claim: 'moderator', resolve: 'moderator', bulkResolve: 'moderator' },
    'spam-requests': { ...READ, userAction: 'moderator' },
    users: { ...READ, userAction: 'moderator', dmTools: 'moderator' },
    links: { ...READ, label: 'triage' },
    blocklist: { ...READ, create: 'moderator', delete: 'moderator' },
    actions: { ...READ, lift: 'moderator' },
    appeals: { ...READ, decide: 'moderator' },
    'audit-log': { ...READ },
    rules: { ...READ, create: 'moderator', edit: 'moderator', delete: 'moderator', test: 'triage' },
    'rule-hits': { ...READ },
    'held-messages': { ...READ, decide: 'moderator' },
    staff: { list: 'admin', show: 'admin', export: 'admin', create: 'admin', edit: 'admin' },
};

/** Whether `role` may perform `action` on `resource`. Unknown pairs are denied. */
export function can(role: unknown, resource: string, action: string): boolean {
    const rules = ACCESS[resource];
    if (!rules) return false;
    const minimum = rules[action];
    if (!minimum) return false;
    return atLeast(role, minimum);
}
