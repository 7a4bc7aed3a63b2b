import { parseIsoTime } from './iso-time';

describe('parseIsoTime', () => {
  it('reads dates and times with or without an offset (none is UTC)', () => {
    expect(parseIsoTime('2026-01-01')?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(parseIsoTime('2026-01-01T10:00')?.toISOString()).toBe('2026-01-01T10:00:00.000Z');
    expect(parseIsoTime('2026-01-01 10:00:05.1234Z')?.toISOString()).toBe('2026-01-01T10:00:05.123Z');
    expect(parseIsoTime('2026-01-01T00:00:00+01:00')?.toISOString()).toBe('2025-12-31T23:00:00.000Z');
    expect(parseIsoTime('2026-01-01T00:00-0530')?.toISOString()).toBe('2026-01-01T05:30:00.000Z');
    expect(parseIsoTime('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseIsoTime('0001-01-01')?.toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(parseIsoTime('0099-06-01')?.toISOString()).toBe('0099-06-01T00:00:00.000Z');
    expect(parseIsoTime('9999-12-31T23:59:59.999Z')?.toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });

  it('refuses days that do not exist, hours past 23, and results outside years 1-9999 UTC', () => {
    for (const raw of [
      '2026-02-30',
      '2025-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '2026-01-01T24:00',
      '2026-01-01T10:60',
      '2026-01-01T10:00:60',
      '2026-01-01T10',
      '0000-01-01',
      '0001-01-01T00:00:00+00:01',
      '9999-12-31T23:00:00-05:00',
      '+275760-09-13T00:00:00.000Z',
      '2026-01-01T00:00+19:00',
      'yesterday',
      '',
      '2026-1-1',
    ]) {
      expect([raw, parseIsoTime(raw)]).toEqual([raw, null]);
    }
  });
});
