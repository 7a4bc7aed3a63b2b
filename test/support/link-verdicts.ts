/**
 * What a link verdict says when only the offline checks ran (a test app without LINK_FEEDS or
 * LINK_PROVIDERS): the sources consulted and, for `safe`, the sentence saying no reputation
 * source was among them (libs/messaging/src/links/link-sources.ts). Spelled out here, not
 * imported, so a test fails when the wording a client shows changes.
 */
export const OFFLINE_SOURCES = ['blocklist', 'heuristics'];

export const SAFE_OFFLINE_REASON = 'Not flagged by the blocklist or the offline heuristics; no reputation feed or lookup was consulted.';

/** The `reason` and `sources` of a `safe` verdict from the offline checks alone. */
export const SAFE_OFFLINE = { reason: SAFE_OFFLINE_REASON, sources: OFFLINE_SOURCES };
