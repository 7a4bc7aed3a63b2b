import { KeysetCursor } from './keyset-cursor';

const uuid = '0190a000-0000-7000-8000-000000000000';
const code = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (err: any) {
    return err.code;
  }
};

describe('KeysetCursor', () => {
  it('reads back what it issued', () => {
    const at = new Date('2026-03-04T05:06:07.089Z').toISOString();
    expect(KeysetCursor.decode(KeysetCursor.encode([at, uuid]), ['time', 'uuid'])).toEqual([at, uuid]);
    for (const rank of [0.0607927, 0, 1e-40, 1e-7, 3.4e38, 0.1]) {
      expect(KeysetCursor.decode(KeysetCursor.encode([rank, uuid]), ['real', 'uuid'])).toEqual([rank, uuid]);
    }
  });

  it('refuses a real PostgreSQL cannot store as float4, a time outside years 1-9999, a wrong part count: 400 invalid_cursor', () => {
    for (const rank of ['1e39', '3.5e38', '1e-50', '7e-46', '-1', 'Infinity', 'NaN', '', '0x10', '1_0']) {
      expect([rank, code(() => KeysetCursor.decode(KeysetCursor.encode([rank, uuid]), ['real', 'uuid']))]).toEqual([
        rank,
        'invalid_cursor',
      ]);
    }
    for (const at of [
      '0000-01-01T00:00:00.000Z',
      '2020',
      '2020-01-01T00:00:00Z',
      '2026-02-30T00:00:00.000Z',
      '+275760-09-13T00:00:00.000Z',
    ]) {
      expect([at, code(() => KeysetCursor.decode(KeysetCursor.encode([at, uuid]), ['time', 'uuid']))]).toEqual([at, 'invalid_cursor']);
    }
    expect(code(() => KeysetCursor.decode(KeysetCursor.encode([0.5, uuid, 'x']), ['real', 'uuid']))).toBe('invalid_cursor');
    expect(code(() => KeysetCursor.decode(KeysetCursor.encode([0.5]), ['real', 'uuid']))).toBe('invalid_cursor');
    expect(code(() => KeysetCursor.decode('garbage', ['real', 'uuid']))).toBe('invalid_cursor');
  });
});
