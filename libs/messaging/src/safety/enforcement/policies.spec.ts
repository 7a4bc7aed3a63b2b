import { pickSeverity, validatePolicy } from './policies';
import type { PolicyRow } from './policies.repository';

const policy: PolicyRow = {
  id: '0190a000-0000-7000-8000-000000000001',
  key: 'spam',
  title: 'Spam',
  description: 'Bulk messages.',
  category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  severities: [
    { key: 'low', strikes: 1, expiryDays: 90, suggestedAction: 'warn' },
    { key: 'high', strikes: 3, expiryDays: 180, suggestedAction: 'suspend' },
  ],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: null,
};

describe('policies', () => {
  it('a decision naming no severity takes the first; a named one must be the policy’s', () => {
    expect(pickSeverity(policy, undefined).key).toBe('low');
    expect(pickSeverity(policy, null).key).toBe('low');
    expect(pickSeverity(policy, 'high').strikes).toBe(3);
    expect(() => pickSeverity(policy, 'severe')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('an update keeps the key and what it leaves out; a changed key, an unknown category or a bad severity is refused with every field named', () => {
    expect(validatePolicy({ ...policy, title: 'Spam and bulk' }, policy)).toEqual({
      key: 'spam',
      title: 'Spam and bulk',
      description: 'Bulk messages.',
      category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
      severities: policy.severities,
    });
    let details: Array<{ field: string }> = [];
    try {
      validatePolicy(
        { key: 'other', category: 'NOPE', severities: [{ key: 'x', strikes: 1.5, expiryDays: 1, suggestedAction: 'warn' }] },
        policy,
      );
    } catch (err) {
      details = (err as { details: Array<{ field: string }> }).details;
    }
    expect(details.map((d) => d.field)).toEqual(['key', 'category', 'severities[0].strikes']);
  });

  it('a new policy needs a key of 2-40 lowercase letters, digits or _, a title, a category and severities', () => {
    expect(() => validatePolicy({}, null)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(
      validatePolicy(
        {
          key: 'doxxing',
          title: ' Doxxing ',
          category: 'STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS',
          severities: policy.severities,
        },
        null,
      ),
    ).toMatchObject({
      key: 'doxxing',
      title: 'Doxxing',
      description: '',
    });
  });
});
