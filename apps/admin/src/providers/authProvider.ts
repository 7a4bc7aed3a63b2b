import type { StaffSession } from '@backchannel/client/admin';
import type { AuthProvider } from 'react-admin';
import { requests } from '../lib/api';
import { can } from '../lib/roles';
import { isTokenExpired, parseStaff } from '../lib/session';
import { httpClient } from './httpClient';
import { session } from './session';

/**
 * Staff auth against POST /admin/v1/auth/login. The access token and staff
 * record live in localStorage; every API call sends `Authorization: Bearer`.
 * Permissions are the staff role; `canAccess` applies the role matrix of
 * lib/roles.ts (hides the Staff resource from non-admins, and create/delete
 * buttons from roles that may not use them).
 */
export const authProvider: AuthProvider = {
    async login(params: { email?: string; username?: string; password?: string }) {
        const email = (params.email ?? params.username ?? '').trim();
        const password = params.password ?? '';
        session.clear(); // never send a stale token with the login call
        const request = requests.login(email, password);
        const { json } = await httpClient(request.url, {
            method: request.method,
            body: JSON.stringify(request.body),
        });
        const answer = json as Partial<StaffSession> | undefined;
        const staff = parseStaff(answer?.staff);
        const token = answer?.accessToken;
        if (!staff || typeof token !== 'string' || token === '') {
            throw new Error('Unexpected response from the login endpoint');
        }
        session.save(token, staff);
    },

    async logout() {
        session.clear();
        // A redirect to the login page is already under way (the hash changed
        // but the router's transition has not committed yet). react-admin
        // answers every logout with queryClient.clear() + navigate(), and
        // the resulting re-renders mount <LogoutOnMount> again, which calls
        // logout again: with React 19 + react-router 7 that loop starves the
        // navigation for 10+ seconds. Leaving this promise pending stops the
        // loop; the login page then renders at once.
        if (window.location.hash.startsWith('#/login')) return new Promise<never>(() => undefined);
    },

    async checkAuth() {
        const token = session.token();
        if (session.isValid(Date.now())) return;
        const expired = !!token && isTokenExpired(token, Date.now());
        session.clear();
        // message: false = redirect to login without a notification
        throw { message: expired ? 'Your session has expired, please sign in again' : false };
    },

    async checkError(error: { status?: number }) {
        if (error?.status === 401) {
            session.clear();
            throw { message: 'Your session has ended, please sign in again' };
        }
        // 403 and the rest: stay signed in, the caller shows the error.
    },

    async getIdentity() {
        const staff = session.staff();
        if (!staff) throw new Error('Not signed in');
        return {
            id: staff.id,
            fullName: staff.displayName || staff.email,
            email: staff.email,
            role: staff.role,
        };
    },

    async getPermissions() {
        return session.staff()?.role ?? null;
    },

    async canAccess({ resource, action }: { resource: string; action: string }) {
        return can(session.staff()?.role, resource, action);
    },
};
