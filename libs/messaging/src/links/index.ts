export { extractLinks, normalizeUrl, MAX_LINKS_PER_MESSAGE } from './link-extractor';
export { classifyUrl, isIpLiteralHost, LOOKALIKE_BRANDS, MAX_HOST_LABELS, MAX_HOST_LENGTH, URL_SHORTENERS } from './link-rules';
export type {
  BlocklistEntry,
  BlocklistReason,
  ClassifyContext,
  HeuristicReason,
  LinkClassification,
  LinkReason,
  LinkRule,
  LinkVerdict,
} from './link-rules';
export {
  assertFetchableUrl,
  isForbiddenAddress,
  parseIpv4Loose,
  parseIpv6,
  resolveFetchableAddresses,
  SsrfRefusedError,
} from './ssrf-guard';
export type { LinkReputationProvider } from './ssrf-guard';
