import { displayNameFromClaim, EXTERNAL_ID, handleFromClaim } from './external-accounts.service';

describe('handles and names from identity-provider claims', () => {
  it.each([
    ['Zoë.Martin-Lopez!', 'zoe_martin_lopez'],
    ['ALICE', 'alice'],
    ['__bob__', 'bob'],
    ['a'.repeat(50), 'a'.repeat(30)],
    ['José Ñúñez', 'jose_nunez'],
  ])('%s → %s', (claim, handle) => {
    expect(handleFromClaim(claim)).toBe(handle);
  });

  it('too short or missing becomes user_<digits>, always a valid handle', () => {
    for (const claim of ['x', '', undefined, 42, '日本語', '!!']) {
      const h = handleFromClaim(claim);
      expect(h).toMatch(/^[a-z0-9_]{3,30}$/);
    }
    expect(handleFromClaim('ab')).toMatch(/^user_\d{6}$/);
  });

  it('display names lose control characters and keep at most 60 characters; empty falls back', () => {
    expect(displayNameFromClaim('Ann\u0000\u0007 Lee', 'x')).toBe('Ann Lee');
    expect([...displayNameFromClaim('😀'.repeat(80), 'x')]).toHaveLength(60);
    expect(displayNameFromClaim(undefined, 'fallback')).toBe('fallback');
  });

  it('externalIds are 1-255 printable ASCII characters without spaces', () => {
    expect(EXTERNAL_ID.test('auth0|abc123')).toBe(true);
    for (const bad of ['', 'a b', 'x'.repeat(256), 'é', 'a\u0000']) expect(EXTERNAL_ID.test(bad)).toBe(false);
  });
});
