import { API_URL, requests } from './api';

describe('custom API requests', () => {
    it('uses the same-origin admin prefix', () => {
        expect(API_URL).toBe('/admin/v1');
    });

    it('logs in', () => {
        expect(requests.login('a@b.c', 'pw')).toEqual({
            method: 'POST',
            url: '/admin/v1/auth/login',
            body: { email: 'a@b.c', password: 'pw' },
        });
    });

    it("builds the moderators' DM tools: statistics, the DM-access switch (PUT off, DELETE on), lock (POST) and unlock (DELETE)", () => {
        expect(requests.dmStats('u1')).toEqual({ method: 'GET', url: '/admin/v1/users/u1/dm-stats' });
        expect(requests.dmAccess('u1', false, 'spam')).toEqual({
            method: 'PUT',
            url: '/admin/v1/users/u1/dm-access',
            body: { note: 'spam' },
        });
        expect(requests.dmAccess('u1', true, '')).toEqual({ method: 'DELETE', url: '/admin/v1/users/u1/dm-access', body: { note: '' } });
        expect(requests.conversationLock('c 1', true, 'x')).toEqual({
            method: 'POST',
            url: '/admin/v1/conversations/c%201/lock',
            body: { note: 'x' },
        });
        expect(requests.conversationLock('c1', false, 'x').method).toBe('DELETE');
    });

    it('builds report workflow calls', () => {
        expect(requests.claim('r 1')).toEqual({ method: 'POST', url: '/admin/v1/reports/r%201/claim' });
        expect(requests.escalate('r1', 'needs legal')).toEqual({
            method: 'POST',
            url: '/admin/v1/reports/r1/escalate',
            body: { note: 'needs legal' },
        });
        expect(requests.resolve('r1', { action: 'suspend', durationHours: 72, note: 'x' })).toEqual({
            method: 'POST',
            url: '/admin/v1/reports/r1/resolve',
            body: { action: 'suspend', durationHours: 72, note: 'x' },
        });
        expect(requests.resolve(7, { action: 'dismiss', note: '' }).body).toEqual({ action: 'dismiss', note: '' });
        expect(requests.bulkResolve(['a', 'b'], { action: 'ban', note: 'spam ring' })).toEqual({
            method: 'POST',
            url: '/admin/v1/reports/bulk-resolve',
            body: { ids: ['a', 'b'], action: 'ban', note: 'spam ring' },
        });
    });

    it('builds user calls', () => {
        expect(requests.userHistory('u1')).toEqual({ method: 'GET', url: '/admin/v1/users/u1/history' });
        expect(requests.userAction('u1', { action: 'restrict_messaging', durationHours: 24, note: 'n' })).toEqual({
            method: 'POST',
            url: '/admin/v1/users/u1/actions',
            body: { action: 'restrict_messaging', durationHours: 24, note: 'n' },
        });
    });

    it('builds appeal, link, blocklist and stats calls', () => {
        expect(requests.decideAppeal('a1', 'upheld', 'ok')).toEqual({
            method: 'POST',
            url: '/admin/v1/appeals/a1/decide',
            body: { decision: 'upheld', note: 'ok' },
        });
        expect(requests.overrideLink('l1', 'safe', 'checked')).toEqual({
            method: 'PUT',
            url: '/admin/v1/links/l1',
            body: { verdict: 'safe', reason: 'checked' },
        });
        expect(requests.previewBlocklist('evil.example/a b?x=1&y', 'url')).toEqual({
            method: 'GET',
            url: '/admin/v1/blocklist/preview?pattern=evil.example%2Fa+b%3Fx%3D1%26y&kind=url',
        });
        expect(requests.stats()).toEqual({ method: 'GET', url: '/admin/v1/stats' });
    });

    it("asks for a case's statement preview with the resolve's own body, facts trimmed and empty facts left out", () => {
        const body = { action: 'warn', note: '', policy: 'spam', severity: 'low', templateId: 't1', facts: '  Found {{reason}}. ' };
        expect(requests.statementPreview({ kind: 'case', id: 'c 1' }, body)).toEqual({
            method: 'POST',
            url: '/admin/v1/cases/c%201/statement-preview',
            body: { action: 'warn', note: '', policy: 'spam', severity: 'low', templateId: 't1', facts: 'Found {{reason}}.' },
        });
        expect(requests.resolveCase('c1', { ...body, facts: '   ' }).body).not.toHaveProperty('facts');
        expect(requests.statementPreview({ kind: 'report', id: 'r1' }, body).url).toBe('/admin/v1/reports/r1/statement-preview');
    });
});
