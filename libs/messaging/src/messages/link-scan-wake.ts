/**
 * What a send tells the link scanner once it committed: a `link_backlog` row (its links) waits
 * to be scanned, or (every link from the cache) its `link_seen` sightings wait to be counted.
 * Links sit above messages (issue #27's layers), so messages declares it here and links
 * provides it under LINK_SCAN_WAKE (links/backlog-wake.ts); messages imports neither.
 * No job and no outbox row is written per message: the backlog row is the durable record, a
 * lost wake only delays its scan until the pending-link sweep (LINK_PENDING_SWEEP_SECONDS).
 */
export const LINK_SCAN_WAKE = Symbol('LINK_SCAN_WAKE');

export interface LinkScanWake {
  /**
   * A send with links committed; never throws, never waits. `pending`: a link awaits its
   * verdict (scanned within moments); else every link was settled from the cache at the send
   * and only its sightings wait (counted into the link cache within BACKLOG_LAZY_MS, in bigger batches).
   */
  sent(pending: boolean): void;
}
