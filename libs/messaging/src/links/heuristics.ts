/**
 * Offline heuristics for scam links that name no brand: a cheap, much-abused top-level domain
 * carrying a lure ("free", "bitcoin", "claim", "airdrop"...) or a sign-in path, and, on any
 * domain, a host made of lures that leads to a sign-in page (`free-bitcoin-claim.xyz/login`
 * trips both). Pure functions of the parsed URL: no I/O, no allocation beyond a few splits, so
 * the scanner's hot path (link-rules.ts classifyUrl) stays cheap. The other offline signals
 * (IP hosts, brand look-alikes by confusable skeleton, punycode mixing scripts) live beside the
 * blocklist in link-rules.ts; this module is called from there, after them.
 *
 * Sources for the lists: the TLDs are those Spamhaus's "most abused top level domains" and
 * Interisle's Phishing Landscape reports (2023-2025) list year after year, among them the free or
 * near-free ones (Freenom's .tk/.ml/.ga/.cf/.gq) and the new gTLDs sold for cents. The lures
 * are the words of crypto give-away, prize and account-recovery scams as URLhaus, PhishTank
 * and OpenPhish entries spell them.
 */

export type LureReason = 'abused_tld_lure' | 'lure_login_path';

export const ABUSED_TLDS: ReadonlySet<string> = new Set([
  'xyz',
  'top',
  'click',
  'icu',
  'buzz',
  'monster',
  'rest',
  'cfd',
  'sbs',
  'cyou',
  'bond',
  'lol',
  'quest',
  'beauty',
  'hair',
  'skin',
  'makeup',
  'mom',
  'boats',
  'autos',
  'yachts',
  'motorcycles',
  'homes',
  'pics',
  'support',
  'help',
  'online',
  'site',
  'website',
  'space',
  'fun',
  'live',
  'life',
  'today',
  'win',
  'bid',
  'loan',
  'work',
  'men',
  'party',
  'review',
  'stream',
  'download',
  'racing',
  'date',
  'faith',
  'science',
  'accountant',
  'cricket',
  'country',
  'kim',
  'gdn',
  'zip',
  'mov',
  'tk',
  'ml',
  'ga',
  'cf',
  'gq',
  'su',
  'ru.com',
  'vip',
  'shop',
  'store',
  'digital',
  'link',
  'info',
]);

/** Words scam hosts and paths are made of; matched inside a label, so `freebitcoin` has two. */
export const LURE_WORDS: ReadonlyArray<string> = [
  'free',
  'bitcoin',
  'btc',
  'crypto',
  'ethereum',
  'usdt',
  'airdrop',
  'giveaway',
  'claim',
  'reward',
  'bonus',
  'prize',
  'winner',
  'gift',
  'promo',
  'double',
  'wallet',
  'metamask',
  'recover',
  'unlock',
  'verify',
  'verification',
  'secure',
  'support',
  'refund',
  'lottery',
  'jackpot',
  'nft',
  'mint',
  'invest',
  'profit',
  'cashout',
  'payout',
];

/** Path segments of pages that ask for a password, a seed phrase or a card. */
const LOGIN_SEGMENTS: ReadonlySet<string> = new Set([
  'login',
  'log-in',
  'logon',
  'signin',
  'sign-in',
  'auth',
  'authenticate',
  'verify',
  'verification',
  'validate',
  'wallet',
  'connect-wallet',
  'connect',
  'account',
  'recover',
  'recovery',
  'unlock',
  'secure',
  'claim',
  'seed',
  'wp-login.php',
  'login.php',
  'signin.php',
  'verify.php',
]);

/** The host's top-level domain as this list spells it (`ru.com` counts as one). */
function tldOf(host: string): string {
  const labels = host.split('.');
  const two = labels.slice(-2).join('.');
  return ABUSED_TLDS.has(two) ? two : (labels[labels.length - 1] ?? '');
}

/** Distinct lure words inside `text` (lower case). */
export function lureWordsIn(text: string): string[] {
  return LURE_WORDS.filter((w) => text.includes(w));
}

/** A path segment is a sign-in page (`/login`, `/wallet/connect`, `/verify.php`). */
export function hasLoginPath(pathname: string): boolean {
  return pathname
    .toLowerCase()
    .split('/')
    .some((segment) => LOGIN_SEGMENTS.has(segment));
}

/**
 * `abused_tld_lure`: an abused TLD whose host has a lure word or whose path is a sign-in page;
 * `lure_login_path`: on any TLD, two different lure words in the host and a sign-in path.
 * Null when neither holds.
 */
export function lureHeuristic(url: URL): LureReason | null {
  const host = url.hostname.toLowerCase();
  const tld = tldOf(host);
  const name = host.slice(0, Math.max(0, host.length - tld.length - 1));
  const lures = lureWordsIn(name);
  const login = hasLoginPath(url.pathname);
  if (ABUSED_TLDS.has(tld) && (lures.length > 0 || login)) return 'abused_tld_lure';
  if (lures.length >= 2 && login) return 'lure_login_path';
  return null;
}
