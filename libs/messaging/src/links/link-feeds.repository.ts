import type { Queryable } from '../db/db.service';
import { newId } from '../ids';
import type { FeedEntry } from './link-feeds';

/**
 * The feed importer's SQL: a batch of feed entries upserted into the `link` verdict cache, the
 * table every scan and send reads (SEND_SQL settles a cached `suspicious` verdict at once; a
 * `malicious` one is applied by the scan, with its removal and report). An entry sets the
 * verdict unless staff overrode it, and never lowers a verdict another source gave: it replaces
 * a pending, safe or earlier feed verdict, and a `suspicious` one only with `malicious`.
 * Imported verdicts last `ttlMinutes` unless a later import sees them again. Their `sources` is
 * the feed alone (`feed:<format>`, link-sources.ts).
 */
const UPSERT_SQL = `
INSERT INTO link (id, url, host, verdict, reason, rule, sources, scanned_at, expires_at, seen_count)
SELECT x.id, x.url, x.host, x.verdict, x.reason, x.rule, jsonb_build_array(x.rule), now(), now() + make_interval(mins => $2::int), 0
  FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, url text, host text, verdict text, reason text, rule text)
ON CONFLICT (url) DO UPDATE
   SET verdict = excluded.verdict, reason = excluded.reason, rule = excluded.rule, sources = excluded.sources,
       scanned_at = now(), expires_at = excluded.expires_at
 WHERE NOT link.overridden
   AND (link.rule LIKE 'feed:%' OR link.verdict IN ('pending', 'safe') OR (link.verdict = 'suspicious' AND excluded.verdict = 'malicious'))`;

/** Upserts one batch (URLs unique within it); the number of rows written. */
export async function upsertFeedVerdicts(q: Queryable, format: string, entries: FeedEntry[], ttlMinutes: number): Promise<number> {
  if (entries.length === 0) return 0;
  const rows = entries.map((e) => ({
    id: newId(),
    url: e.url,
    host: e.host,
    verdict: e.verdict,
    reason: e.reason,
    rule: `feed:${format}`,
  }));
  const res = await q.query(`${UPSERT_SQL} RETURNING 1`, [JSON.stringify(rows), ttlMinutes]);
  return res.length;
}

/** A feed's import succeeded: its entries are loaded (link_feed, what a scan counts as consulted). */
export async function recordFeedImport(q: Queryable, format: string, location: string, entries: number): Promise<void> {
  await q.query(
    `INSERT INTO link_feed (format, location, imported_at, entries) VALUES ($1, $2, now(), $3)
     ON CONFLICT (format, location) DO UPDATE SET imported_at = now(), entries = excluded.entries`,
    [format, location, entries],
  );
}

/** Feeds (format, location) imported successfully within the last `minutes`: their verdicts are still in the cache. */
export async function loadedFeeds(q: Queryable, minutes: number): Promise<Array<{ format: string; location: string }>> {
  return q.query<{ format: string; location: string }>(
    `SELECT format, location FROM link_feed WHERE imported_at > now() - make_interval(mins => $1::int) ORDER BY format, location`,
    [minutes],
  );
}
