import { categoryLabel, defaultPolicyKey, severityFor } from './policies';

describe('console policies', () => {
    const policies = [
        { key: 'other', severities: [{ key: 'low' }, { key: 'high' }] },
        { key: 'spam', severities: [{ key: 'low' }] },
    ] as never[];

    it("starts from the report's reason's policy, else other", () => {
        expect(defaultPolicyKey(policies, 'spam')).toBe('spam');
        expect(defaultPolicyKey(policies, 'hate')).toBe('other');
        expect(defaultPolicyKey(policies, undefined)).toBe('other');
        expect(defaultPolicyKey([], 'spam')).toBe('');
    });

    it("takes the policy's first severity unless the current one is the policy's", () => {
        expect(severityFor({ severities: [{ key: 'low' }, { key: 'high' }] } as never)).toBe('low');
        expect(severityFor({ severities: [{ key: 'low' }, { key: 'high' }] } as never, 'high')).toBe('high');
        expect(severityFor({ severities: [{ key: 'low' }] } as never, 'high')).toBe('low');
        expect(severityFor(undefined)).toBe('');
    });

    it('labels categories', () => {
        expect(categoryLabel('STATEMENT_CATEGORY_SCAMS_AND_FRAUD')).toBe('Scams and fraud');
    });
});
