import { InvalidCursor } from './errors';
import { isUuid } from './ids';
import { parseIsoTime } from './iso-time';

/**
 * The parts a keyset cursor carries, each read back only in a form PostgreSQL accepts for the
 * parameter it is bound to (a forged cursor must be a 400, never a failed cast and a 500):
 * - `uuid`: a uuid;
 * - `time`: exactly `Date.toISOString()`'s form, in years 1-9999 (iso-time.ts);
 * - `real`: a number PostgreSQL stores as a `real` (float4) without overflow or underflow,
 *   e.g. a `ts_rank`. Not negative: no rank is.
 */
type PartKind = 'uuid' | 'time' | 'real';
type PartValue<K extends PartKind> = K extends 'real' ? number : string;
type Parts<K extends readonly PartKind[]> = { -readonly [I in keyof K]: PartValue<K[I]> };

const readPart: { [K in PartKind]: (raw: string) => PartValue<K> | null } = {
  uuid: (raw) => (isUuid(raw) ? raw : null),
  time: (raw) => {
    const at = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(raw) ? parseIsoTime(raw) : null;
    return at && at.toISOString() === raw ? raw : null;
  },
  real: (raw) => {
    if (!/^\d+(\.\d+)?(e[+-]?\d+)?$/i.test(raw)) return null;
    const n = Number(raw);
    // Math.fround rounds as PostgreSQL's float4 input does: to 0 below the smallest
    // subnormal (1e-50), past the largest float4 to Infinity (1e39); both are refused there.
    const f = Math.fround(n);
    return Number.isFinite(f) && (n === 0 || f !== 0) ? n : null;
  },
};

/** Opaque `a|b|…` cursors (base64url) for lists paged by a key: issued by `encode`, read back by `decode`. */
export const KeysetCursor = {
  encode(parts: ReadonlyArray<string | number>): string {
    return Buffer.from(parts.join('|'), 'utf8').toString('base64url');
  },

  /** The parts, one per kind, else 400 invalid_cursor. */
  decode<const K extends readonly PartKind[]>(raw: string, kinds: K): Parts<K> {
    const parts = Buffer.from(raw, 'base64url').toString('utf8').split('|');
    if (parts.length !== kinds.length) throw new InvalidCursor();
    return kinds.map((kind, i) => {
      const value = readPart[kind](parts[i]);
      if (value === null) throw new InvalidCursor();
      return value;
    }) as Parts<K>;
  },
};
