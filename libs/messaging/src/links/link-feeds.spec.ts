import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { linkFeeds } from '../config';
import { csvFields, feedEntries, jsonArrayObjects, type FeedEntry } from './link-feeds';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'link-feeds');

/** A fixture as a stream of small chunks, so every parser is exercised across chunk boundaries. */
async function* chunked(file: string, size = 7): AsyncGenerator<string> {
  for await (const chunk of createReadStream(join(FIXTURES, file), { encoding: 'utf8', highWaterMark: size })) yield chunk as string;
}

async function all(format: 'urlhaus' | 'phishtank' | 'openphish', file: string) {
  const stats = { skipped: 0 };
  const out: FeedEntry[] = [];
  for await (const e of feedEntries(format, chunked(file), stats)) out.push(e);
  return { entries: out, skipped: stats.skipped };
}

describe('reputation feed dumps, parsed as streams', () => {
  it('URLhaus CSV: comment lines skipped, columns from the commented header, online → malicious, offline → suspicious, unusable rows counted', async () => {
    expect(await all('urlhaus', 'urlhaus.csv')).toEqual({
      entries: [
        { url: 'http://malware-drop.example.net/bins/x86', host: 'malware-drop.example.net', verdict: 'malicious', reason: 'feed_urlhaus' },
        { url: 'https://old-payload.example.org/a.exe', host: 'old-payload.example.org', verdict: 'suspicious', reason: 'feed_urlhaus' },
      ],
      skipped: 1,
    });
  });
  it('PhishTank JSON: one object at a time (nested details and escaped quotes included); verified and online → malicious', async () => {
    const { entries } = await all('phishtank', 'phishtank.json');
    expect(entries.map((e) => [e.host, e.verdict, e.reason])).toEqual([
      ['secure-login.phish-example.com', 'malicious', 'feed_phishtank'],
      ['bank-verify.phish-example.org', 'suspicious', 'feed_phishtank'],
    ]);
  });
  it('PhishTank CSV: by its header, quoted fields with commas', async () => {
    expect((await all('phishtank', 'phishtank.csv')).entries).toEqual([
      { url: 'https://csv-phish.example.com/login', host: 'csv-phish.example.com', verdict: 'malicious', reason: 'feed_phishtank' },
    ]);
  });
  it('OpenPhish: one URL a line, blank lines ignored, all malicious', async () => {
    const { entries } = await all('openphish', 'openphish.txt');
    expect(entries.map((e) => e.url)).toEqual([
      'https://openphish-one.example.com/wallet/connect',
      'http://openphish-two.example.net/',
      'https://openphish-one.example.com/wallet/connect',
    ]);
    expect(new Set(entries.map((e) => e.verdict))).toEqual(new Set(['malicious']));
  });
  it('csvFields and jsonArrayObjects handle quoting', async () => {
    expect(csvFields('1,"a, ""b""",c')).toEqual(['1', 'a, "b"', 'c']);
    async function* parts() {
      yield '[{"a":"}{","b":[1,{"c":2}]},';
      yield '{"a":"\\"x"}]';
    }
    const got: unknown[] = [];
    for await (const o of jsonArrayObjects(parts())) got.push(o);
    expect(got).toEqual([{ a: '}{', b: [1, { c: 2 }] }, { a: '"x' }]);
  });
});

describe('LINK_FEEDS', () => {
  it('is a comma list of format:location; a location may be a path or an http(s) URL', () => {
    expect(linkFeeds('urlhaus:/data/csv.txt, openphish:https://openphish.com/feed.txt')).toEqual([
      { format: 'urlhaus', location: '/data/csv.txt' },
      { format: 'openphish', location: 'https://openphish.com/feed.txt' },
    ]);
    expect(linkFeeds(undefined)).toEqual([]);
  });
  it('refuses an unknown format, a missing location and a non-http URL', () => {
    expect(() => linkFeeds('spamhaus:/x')).toThrow(/format one of urlhaus, phishtank, openphish/);
    expect(() => linkFeeds('urlhaus:')).toThrow(/names no file or URL/);
    expect(() => linkFeeds('openphish:ftp://example.com/feed')).toThrow(/http or https/);
  });
});
