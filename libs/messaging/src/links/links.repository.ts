import type { Queryable } from '../db/db.service';
import type { BlocklistEntry } from './link-rules';

/**
 * The links domain's SQL (STYLE.md §9, §12): the staff blocklist; the link scanner's
 * statements are in link-scanner.repository.ts. Functions take a Queryable, so they run on the pool or inside `db.tx`.
 */

/** Every blocklist entry, oldest first. */
export async function blocklistEntries(q: Queryable): Promise<BlocklistEntry[]> {
  const rows = await q.query<BlocklistEntry>('SELECT pattern, kind FROM blocklist_entry ORDER BY created_at');
  return rows.map((r) => ({ pattern: r.pattern, kind: r.kind }));
}

export async function blocklistEntry(q: Queryable, entryId: string): Promise<(BlocklistEntry & { id: string }) | undefined> {
  const [row] = await q.query<BlocklistEntry & { id: string }>('SELECT id, pattern, kind FROM blocklist_entry WHERE id = $1', [entryId]);
  return row;
}
