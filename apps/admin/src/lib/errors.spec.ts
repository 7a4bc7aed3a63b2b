import { errorCode, errorMessage, formatApiError } from './errors';

describe('API errors', () => {
    it('shows message and code', () => {
        expect(formatApiError({ statusCode: 409, code: 'already_claimed', message: 'Report is claimed by someone else' }, 409)).toBe(
            'Report is claimed by someone else (already_claimed)',
        );
    });

    it('joins validation message arrays', () => {
        expect(formatApiError({ statusCode: 400, code: 'validation_failed', message: ['a is bad', 'b is bad'] }, 400)).toBe(
            'a is bad; b is bad (validation_failed)',
        );
    });

    it('falls back to the status text or code', () => {
        expect(formatApiError(undefined, 502, 'Bad Gateway')).toBe('Bad Gateway');
        expect(formatApiError({ code: 'oops' }, 500, '')).toBe('Request failed with HTTP 500 (oops)');
        expect(formatApiError(null, 0)).toBe('Network error');
    });

    it('does not repeat a code already in the message', () => {
        expect(formatApiError({ code: 'forbidden', message: 'forbidden' }, 403)).toBe('forbidden');
    });

    it('extracts codes and messages from thrown errors', () => {
        expect(errorCode({ body: { code: 'already_claimed' } })).toBe('already_claimed');
        expect(errorCode(new Error('x'))).toBeNull();
        expect(errorMessage(new Error('boom'))).toBe('boom');
        expect(errorMessage('plain')).toBe('plain');
        expect(errorMessage(42)).toBe('Something went wrong');
    });
});
