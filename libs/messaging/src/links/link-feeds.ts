import type { LinkFeedFormat } from '../config';
import { normalizeUrl } from './link-extractor';
import type { LinkVerdict } from './link-rules';

/**
 * Reputation feed dumps, parsed as streams (a dump is tens of MB; no step holds it whole):
 * text chunks in, one entry per listed URL out, the URL normalised as scanned links are
 * (link-extractor.ts normalizeUrl) so a feed entry and a link in a message meet in the `link`
 * table. Pure: reading the file or URL and writing the rows is LinkFeedsService's.
 *
 * Formats (LINK_FEEDS `format:location`):
 * - `urlhaus`: abuse.ch URLhaus CSV dump (csv.txt / csv_online.txt): `#` comment lines, the
 *   last of which may name the columns (`# id,dateadded,url,url_status,last_online,threat,...`);
 *   `url_status` online → malicious, offline → suspicious (as the URLhaus provider judges).
 * - `phishtank`: PhishTank's online-valid dump, JSON (an array of objects with `url`,
 *   `verified`, `online`) or CSV (header `phish_id,url,phish_detail_url,submission_time,
 *   verified,verification_time,online,target`); verified and online → malicious, else suspicious.
 * - `openphish`: OpenPhish's feed.txt, one URL per line → malicious (it lists live phishing).
 */

export interface FeedEntry {
  url: string;
  host: string;
  verdict: Exclude<LinkVerdict, 'safe'>;
  /** `feed_<format>`: names the source that judged it. */
  reason: string;
}

/** Lines of a text stream, without their line ends. */
export async function* linesOf(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    rest += chunk;
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      yield rest.slice(0, nl).replace(/\r$/, '');
      rest = rest.slice(nl + 1);
      nl = rest.indexOf('\n');
    }
  }
  if (rest) yield rest.replace(/\r$/, '');
}

/** One CSV record (RFC 4180 quoting: `"a,b"`, `""` inside quotes). Records spanning lines are not used by these feeds. */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

/**
 * The top-level array's objects of a JSON text stream, each parsed on its own: the splitter
 * only tracks strings and brace depth, so memory stays one object deep.
 */
export async function* jsonArrayObjects(chunks: AsyncIterable<string>): AsyncGenerator<Record<string, unknown>> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current = '';
  for await (const chunk of chunks) {
    let start = depth >= 2 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') {
        depth++;
        if (depth === 2 && ch === '{') start = i;
      } else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 1 && ch === '}' && start >= 0) {
          current += chunk.slice(start, i + 1);
          start = -1;
          const text = current;
          current = '';
          try {
            const value: unknown = JSON.parse(text);
            if (value && typeof value === 'object' && !Array.isArray(value)) yield value as Record<string, unknown>;
          } catch {
            // A malformed element is skipped; the rest of the dump still counts.
          }
        }
      }
    }
    if (start >= 0) current += chunk.slice(start);
  }
}

function entry(rawUrl: unknown, verdict: FeedEntry['verdict'], format: LinkFeedFormat): FeedEntry | null {
  if (typeof rawUrl !== 'string' || !rawUrl.trim()) return null;
  const url = normalizeUrl(rawUrl.trim());
  if (url === null) return null;
  return { url, host: new URL(url).hostname, verdict, reason: `feed_${format}` };
}

const yes = (v: unknown) => String(v ?? '').toLowerCase() === 'yes' || v === true;

async function* urlhaus(chunks: AsyncIterable<string>): AsyncGenerator<FeedEntry | null> {
  let urlAt = 2;
  let statusAt = 3;
  for await (const line of linesOf(chunks)) {
    if (line.startsWith('#')) {
      const header = csvFields(line.replace(/^#\s*/, ''));
      if (header.includes('url') && header.includes('url_status')) {
        urlAt = header.indexOf('url');
        statusAt = header.indexOf('url_status');
      }
      continue;
    }
    if (!line.trim()) continue;
    const f = csvFields(line);
    yield entry(f[urlAt], f[statusAt] === 'online' ? 'malicious' : 'suspicious', 'urlhaus');
  }
}

async function* phishtankCsv(lines: AsyncIterable<string>): AsyncGenerator<FeedEntry | null> {
  let header: string[] | null = null;
  for await (const line of lines) {
    if (!line.trim()) continue;
    const f = csvFields(line);
    if (!header) {
      header = f;
      if (!header.includes('url'))
        header = ['phish_id', 'url', 'phish_detail_url', 'submission_time', 'verified', 'verification_time', 'online', 'target'];
      else continue;
    }
    const at = (name: string) => f[header!.indexOf(name)];
    yield entry(at('url'), yes(at('verified')) && yes(at('online')) ? 'malicious' : 'suspicious', 'phishtank');
  }
}

/** The chunks again with the ones already read in front (after peeking at the first character). */
async function* prepend(first: string[], rest: AsyncIterator<string>): AsyncGenerator<string> {
  yield* first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

async function* phishtank(chunks: AsyncIterable<string>): AsyncGenerator<FeedEntry | null> {
  const it = chunks[Symbol.asyncIterator]();
  const seen: string[] = [];
  let head = '';
  while (!head.trim()) {
    const next = await it.next();
    if (next.done) return;
    seen.push(next.value);
    head += next.value;
  }
  const stream = prepend(seen, it);
  if (head.trimStart().startsWith('[')) {
    for await (const o of jsonArrayObjects(stream)) {
      yield entry(o.url, yes(o.verified) && yes(o.online) ? 'malicious' : 'suspicious', 'phishtank');
    }
  } else {
    yield* phishtankCsv(linesOf(stream));
  }
}

async function* openphish(chunks: AsyncIterable<string>): AsyncGenerator<FeedEntry | null> {
  for await (const line of linesOf(chunks)) {
    if (!line.trim() || line.startsWith('#')) continue;
    yield entry(line, 'malicious', 'openphish');
  }
}

/** Every usable entry of a dump; `skipped` counts the lines or elements that named no usable URL. */
export async function* feedEntries(
  format: LinkFeedFormat,
  chunks: AsyncIterable<string>,
  stats = { skipped: 0 },
): AsyncGenerator<FeedEntry> {
  const parse = format === 'urlhaus' ? urlhaus : format === 'phishtank' ? phishtank : openphish;
  for await (const e of parse(chunks)) {
    if (e) yield e;
    else stats.skipped++;
  }
}
