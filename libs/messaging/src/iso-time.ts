/**
 * ISO-8601 times from clients (query dates, cursors), read strictly: a day that exists
 * (`2026-02-30` is refused, where JavaScript rolls it over to March), hours 00-23, an optional
 * offset (none means UTC), and a result in years 1-9999 UTC, the range both JavaScript's
 * `toISOString` and PostgreSQL's timestamptz spell alike (year 0 and year 10000 are not sent
 * on to PostgreSQL, which refuses them: a 500). Null when the text is not such a time.
 */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;

export function parseIsoTime(raw: string): Date | null {
  const m = ISO_TIME.exec(raw);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  const offsetMinutes = zone === 'Z' ? 0 : offsetOf(zone);
  if (offsetMinutes === null) return null;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year);
  const at = new Date(date.getTime() - offsetMinutes * 60_000);
  const utcYear = at.getUTCFullYear();
  return utcYear >= MIN_YEAR && utcYear <= MAX_YEAR ? at : null;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `+05:30`, `-0800`, `+01` → minutes east of UTC; null past ±18:00 (what PostgreSQL accepts). */
function offsetOf(zone: string): number | null {
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (minutes > 59 || hours * 60 + minutes > 18 * 60) return null;
  return sign * (hours * 60 + minutes);
}
