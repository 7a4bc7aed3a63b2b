import {
    choicesOf,
    formatDue,
    formatMinutes,
    formatPriority,
    formatRelative,
    humanize,
    priorityBand,
    shortValue,
    statusColor,
    userOption,
    verdictColor,
} from './format';

describe('format', () => {
    it('bands priorities', () => {
        expect(priorityBand(95)).toBe('critical');
        expect(priorityBand(80)).toBe('critical');
        expect(priorityBand(50)).toBe('high');
        expect(priorityBand(20)).toBe('normal');
        expect(priorityBand(3)).toBe('low');
        expect(priorityBand('60')).toBe('high');
        expect(priorityBand(null)).toBeNull();
        expect(priorityBand('abc')).toBeNull();
    });

    it('formats priorities with a colour', () => {
        expect(formatPriority(90)).toEqual({ label: '90 · critical', color: 'error' });
        expect(formatPriority(12.345)).toEqual({ label: '12.3 · low', color: 'default' });
        expect(formatPriority(undefined)).toEqual({ label: '—', color: 'default' });
    });

    it('formats minutes', () => {
        expect(formatMinutes(0.4)).toBe('<1m');
        expect(formatMinutes(45)).toBe('45m');
        expect(formatMinutes(60)).toBe('1h');
        expect(formatMinutes(95)).toBe('1h 35m');
        expect(formatMinutes(1440)).toBe('1d');
        expect(formatMinutes(3000)).toBe('2d 2h');
        expect(formatMinutes(null)).toBe('—');
        expect(formatMinutes('x')).toBe('—');
    });

    it('formats due dates', () => {
        const now = Date.parse('2025-01-01T12:00:00Z');
        expect(formatDue('2025-01-01T14:05:00Z', now)).toEqual({ label: 'due in 2h 5m', overdue: false });
        expect(formatDue('2025-01-01T11:30:00Z', now)).toEqual({ label: 'overdue by 30m', overdue: true });
        expect(formatDue(null, now)).toEqual({ label: '—', overdue: false });
        expect(formatDue(null, now, true)).toEqual({ label: 'overdue', overdue: true });
        expect(formatDue('2025-01-01T14:00:00Z', now, true).overdue).toBe(true);
    });

    it('formats relative times', () => {
        const now = Date.parse('2025-01-01T12:00:00Z');
        expect(formatRelative('2025-01-01T11:57:00Z', now)).toBe('3m ago');
        expect(formatRelative('2025-01-01T14:00:00Z', now)).toBe('in 2h');
        expect(formatRelative('2025-01-01T12:00:10Z', now)).toBe('just now');
        expect(formatRelative('garbage', now)).toBe('—');
    });

    it('colours verdicts and statuses', () => {
        expect(verdictColor('safe')).toBe('success');
        expect(verdictColor('suspicious')).toBe('warning');
        expect(verdictColor('malicious')).toBe('error');
        expect(verdictColor('pending')).toBe('default');
        expect(statusColor('escalated')).toBe('warning');
        expect(statusColor('banned')).toBe('error');
        expect(statusColor('whatever')).toBe('default');
    });

    it('humanizes enum values', () => {
        expect(humanize('self_harm')).toBe('Self harm');
        expect(humanize('spam-requests')).toBe('Spam requests');
        expect(humanize('createdAt')).toBe('Created at');
        expect(humanize('requestsSent')).toBe('Requests sent');
        expect(humanize('')).toBe('—');
        expect(choicesOf(['open', 'self_harm'])).toEqual([
            { id: 'open', name: 'Open' },
            { id: 'self_harm', name: 'Self harm' },
        ]);
    });

    it('shortens values', () => {
        expect(shortValue(null)).toBe('—');
        expect(shortValue({ a: 1 })).toBe('{"a":1}');
        expect(shortValue('x'.repeat(100), 10)).toBe('xxxxxxxxx…');
    });
});

describe('userOption', () => {
    it('names a user by handle and display name, never by id alone', () => {
        expect(userOption({ id: 'u1', handle: 'bob', displayName: 'Bob B' })).toBe('@bob · Bob B');
        expect(userOption({ id: 'u1', handle: 'bob', displayName: 'bob' })).toBe('@bob');
    });
});
