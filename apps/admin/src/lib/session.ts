/**
 * The signed-in staff member and their access token, kept in localStorage.
 * Written against a minimal storage interface so it can be unit-tested.
 */
import type { StaffSummary } from '@backchannel/client/admin';
import { isRole } from './roles';

/** The `staff` of the login answer (StaffSession). */
export type Staff = StaffSummary;

export interface StorageLike {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
}

export const TOKEN_KEY = 'backchannel.admin.token';
export const STAFF_KEY = 'backchannel.admin.staff';

/** Validates the `staff` object of the login response. */
export function parseStaff(value: unknown): Staff | null {
    if (!value || typeof value !== 'object') return null;
    const record = value as Record<string, unknown>;
    if (record.id === undefined || record.id === null || !isRole(record.role)) return null;
    return {
        id: String(record.id),
        email: typeof record.email === 'string' ? record.email : '',
        role: record.role,
        displayName: typeof record.displayName === 'string' ? record.displayName : '',
    };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** base64url -> UTF-8 string, without relying on atob/Buffer. */
export function decodeBase64Url(input: string): string | null {
    const clean = input.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    const bytes: number[] = [];
    let buffer = 0;
    let bits = 0;
    for (const char of clean) {
        const value = B64.indexOf(char);
        if (value === -1) return null;
        buffer = (buffer << 6) | value;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes.push((buffer >> bits) & 0xff);
        }
    }
    // UTF-8 decode
    let out = '';
    for (let i = 0; i < bytes.length;) {
        const b = bytes[i];
        let code: number;
        let extra: number;
        if (b < 0x80) [code, extra] = [b, 0];
        else if (b >= 0xf0) [code, extra] = [b & 0x07, 3];
        else if (b >= 0xe0) [code, extra] = [b & 0x0f, 2];
        else [code, extra] = [b & 0x1f, 1];
        for (let k = 1; k <= extra; k++) code = (code << 6) | ((bytes[i + k] ?? 0) & 0x3f);
        out += String.fromCodePoint(code);
        i += extra + 1;
    }
    return out;
}

/** The payload of a JWT, or null for opaque / malformed tokens. */
export function decodeJwtPayload(token: string): Record<string, unknown> | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const json = decodeBase64Url(parts[1]);
    if (json === null) return null;
    try {
        const payload: unknown = JSON.parse(json);
        return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : null;
    } catch {
        return null;
    }
}

/** True only when the token is a JWT whose `exp` has passed. */
export function isTokenExpired(token: string, nowMs: number): boolean {
    const payload = decodeJwtPayload(token);
    if (!payload || typeof payload.exp !== 'number') return false;
    return payload.exp * 1000 <= nowMs;
}

export function createSession(storage: StorageLike) {
    const read = () => {
        const token = storage.getItem(TOKEN_KEY);
        let staff: Staff | null;
        try {
            staff = parseStaff(JSON.parse(storage.getItem(STAFF_KEY) ?? 'null'));
        } catch {
            staff = null;
        }
        return { token, staff };
    };
    return {
        save(token: string, staff: Staff): void {
            storage.setItem(TOKEN_KEY, token);
            storage.setItem(STAFF_KEY, JSON.stringify(staff));
        },
        clear(): void {
            storage.removeItem(TOKEN_KEY);
            storage.removeItem(STAFF_KEY);
        },
        token(): string | null {
            return read().token;
        },
        staff(): Staff | null {
            return read().staff;
        },
        /** Signed in = a token and a valid staff record, token not expired. */
        isValid(nowMs: number): boolean {
            const { token, staff } = read();
            return !!token && !!staff && !isTokenExpired(token, nowMs);
        },
    };
}

export type ConsoleSession = ReturnType<typeof createSession>;
