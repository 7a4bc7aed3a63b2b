import { InvalidCursor } from '../errors';

/**
 * Opaque cursor for the room lists. Their order moves (upvotes change, people get promoted),
 * so no key is stable to seek from; a position is as good as it gets and stays opaque so
 * it can change later without breaking clients.
 */
export const OffsetCursor = {
  encode(offset: number): string {
    return Buffer.from(`o:${offset}`, 'utf8').toString('base64url');
  },

  decode(cursor: string | undefined): number {
    if (cursor === undefined || cursor === '') return 0;
    const m = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!m) throw new InvalidCursor();
    return Number(m[1]);
  },

  /** `{items, nextCursor}` from a page fetched with limit + 1 rows. */
  page<T>(rows: T[], offset: number, limit: number): { items: T[]; nextCursor: string | null } {
    const more = rows.length > limit;
    return { items: more ? rows.slice(0, limit) : rows, nextCursor: more ? OffsetCursor.encode(offset + limit) : null };
  },
};
