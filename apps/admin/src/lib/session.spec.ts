import { createSession, decodeBase64Url, decodeJwtPayload, isTokenExpired, parseStaff, STAFF_KEY, TOKEN_KEY } from './session';

class MemoryStorage {
    data = new Map<string, string>();
    getItem(key: string) {
        return this.data.has(key) ? (this.data.get(key) as string) : null;
    }
    setItem(key: string, value: string) {
        this.data.set(key, value);
    }
    removeItem(key: string) {
        this.data.delete(key);
    }
}

// base64url of JSON, built by hand so the spec needs no Buffer/btoa typings.
function b64url(json: string): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const bytes = Array.from(unescape(encodeURIComponent(json))).map(c => c.charCodeAt(0));
    let out = '';
    for (let i = 0; i < bytes.length; i += 3) {
        const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
        out += chars[(n >> 18) & 63] + chars[(n >> 12) & 63];
        if (i + 1 < bytes.length) out += chars[(n >> 6) & 63];
        if (i + 2 < bytes.length) out += chars[n & 63];
    }
    return out;
}

const jwt = (payload: object) => `${b64url('{"alg":"HS256"}')}.${b64url(JSON.stringify(payload))}.sig`;

const staff = { id: 's1', email: 'mod@example.com', role: 'moderator' as const, displayName: 'Mod' };

describe('session', () => {
    it('decodes base64url including UTF-8', () => {
        expect(decodeBase64Url(b64url('{"name":"Zoë ✓"}'))).toBe('{"name":"Zoë ✓"}');
        expect(decodeBase64Url('***')).toBeNull();
    });

    it('reads JWT payloads and expiry', () => {
        const now = Date.parse('2025-01-01T00:00:00Z');
        const live = jwt({ sub: 's1', exp: now / 1000 + 60 });
        const dead = jwt({ sub: 's1', exp: now / 1000 - 1 });
        expect(decodeJwtPayload(live)).toEqual({ sub: 's1', exp: now / 1000 + 60 });
        expect(isTokenExpired(live, now)).toBe(false);
        expect(isTokenExpired(dead, now)).toBe(true);
        expect(isTokenExpired('opaque-token', now)).toBe(false);
        expect(decodeJwtPayload('a.b')).toBeNull();
    });

    it('validates staff records', () => {
        expect(parseStaff(staff)).toEqual(staff);
        expect(parseStaff({ ...staff, id: 5 })).toEqual({ ...staff, id: '5' });
        expect(parseStaff({ ...staff, role: 'owner' })).toBeNull();
        expect(parseStaff(null)).toBeNull();
    });

    it('saves, reads and clears', () => {
        const storage = new MemoryStorage();
        const session = createSession(storage);
        expect(session.isValid(Date.now())).toBe(false);
        session.save('tok', staff);
        expect(storage.getItem(TOKEN_KEY)).toBe('tok');
        expect(session.token()).toBe('tok');
        expect(session.staff()).toEqual(staff);
        expect(session.isValid(Date.now())).toBe(true);
        session.clear();
        expect(session.token()).toBeNull();
        expect(session.staff()).toBeNull();
    });

    it('treats corrupt or expired state as signed out', () => {
        const storage = new MemoryStorage();
        const session = createSession(storage);
        storage.setItem(TOKEN_KEY, 'tok');
        storage.setItem(STAFF_KEY, '{not json');
        expect(session.staff()).toBeNull();
        expect(session.isValid(Date.now())).toBe(false);
        session.save(jwt({ exp: 1 }), staff);
        expect(session.isValid(Date.now())).toBe(false);
    });
});
