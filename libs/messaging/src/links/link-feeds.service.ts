import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type LinkFeed } from '../config';
import { Db } from '../db/db.service';
import { feedEntries, type FeedEntry } from './link-feeds';
import { loadedFeeds, recordFeedImport, upsertFeedVerdicts } from './link-feeds.repository';
import type { LinkSource } from './link-sources';

export interface FeedImport {
  format: LinkFeed['format'];
  location: string;
  /** Entries written to the `link` table (new, or a verdict raised or refreshed). */
  written: number;
  /** Distinct URLs read from the dump. */
  entries: number;
  /** Lines or elements that named no usable URL. */
  skipped: number;
  error?: string;
}

/**
 * Imports the reputation feeds of LINK_FEEDS into the link verdict cache, on the maintenance
 * queue's schedule (every LINK_FEED_INTERVAL_MINUTES). Each dump is read as a stream (a file,
 * or an http(s) URL the operator named: a fixed source, not a user's link) and written in
 * batches of BATCH rows, one statement each, so a large dump never sits in memory nor in one
 * transaction. A feed that fails is logged and reported; the others still import, and the
 * verdicts it wrote last time stand until they expire (twice the interval, at least a day).
 */
@Injectable()
export class LinkFeedsService {
  static readonly BATCH = 1000;
  static readonly FETCH_TIMEOUT_MS = 120_000;
  /** How long a process keeps its copy of which feeds are loaded (as the blocklist's cache). */
  static readonly LOADED_CACHE_MS = 5000;
  private readonly logger = new Logger(LinkFeedsService.name);
  private loaded: { at: number; sources: Promise<LinkSource[]> } | null = null;

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** How long an imported verdict lasts unless a later import sees it again. */
  get ttlMinutes(): number {
    return Math.max(2 * this.config.linkFeedIntervalMinutes, 24 * 60);
  }

  async importAll(feeds: ReadonlyArray<LinkFeed> = this.config.linkFeeds): Promise<FeedImport[]> {
    const out: FeedImport[] = [];
    for (const feed of feeds) {
      try {
        out.push(await this.importOne(feed, await this.open(feed.location)));
      } catch (err) {
        const error = (err as Error).message;
        this.logger.warn(`link feed ${feed.format}:${feed.location} failed: ${error}`);
        out.push({ format: feed.format, location: feed.location, written: 0, entries: 0, skipped: 0, error });
      }
    }
    return out;
  }

  /** Parses one dump from `chunks` and writes it in batches. */
  async importOne(feed: LinkFeed, chunks: AsyncIterable<string>): Promise<FeedImport> {
    const stats = { skipped: 0 };
    let batch = new Map<string, FeedEntry>();
    let written = 0;
    let entries = 0;
    const flush = async () => {
      if (batch.size === 0) return;
      written += await upsertFeedVerdicts(this.db, feed.format, [...batch.values()], this.ttlMinutes);
      batch = new Map();
    };
    for await (const e of feedEntries(feed.format, chunks, stats)) {
      const had = batch.get(e.url);
      if (!had) entries++;
      // A URL listed twice in one batch: one row, the worse verdict.
      if (!had || (had.verdict === 'suspicious' && e.verdict === 'malicious')) batch.set(e.url, e);
      if (batch.size >= LinkFeedsService.BATCH) await flush();
    }
    await flush();
    await recordFeedImport(this.db, feed.format, feed.location, entries);
    this.loaded = null;
    this.logger.log(`link feed ${feed.format}: ${entries} entries, ${written} written, ${stats.skipped} skipped`);
    return { format: feed.format, location: feed.location, written, entries, skipped: stats.skipped };
  }

  /**
   * The feeds a scan consults (`feed:<format>`, link-sources.ts): those of LINK_FEEDS whose last
   * import succeeded within the verdicts' lifetime, so their entries are in the cache a scan
   * reads. Held for LOADED_CACHE_MS (every scan asks; one query per scan would cost more than
   * the scan); this process's own import refreshes it at once.
   */
  async consulted(): Promise<LinkSource[]> {
    if (this.config.linkFeeds.length === 0) return [];
    if (this.loaded && Date.now() - this.loaded.at < LinkFeedsService.LOADED_CACHE_MS) return this.loaded.sources;
    const sources = loadedFeeds(this.db, this.ttlMinutes).then((rows) => {
      const configured = new Set(this.config.linkFeeds.map((f) => `${f.format}\u0000${f.location}`));
      const formats = rows.filter((r) => configured.has(`${r.format}\u0000${r.location}`)).map((r) => r.format);
      return [...new Set(formats)].map((f): LinkSource => `feed:${f}`);
    });
    this.loaded = { at: Date.now(), sources };
    sources.catch(() => (this.loaded = null));
    return sources;
  }

  /** The dump as text chunks: a local file, or the body of an http(s) URL. */
  private async open(location: string): Promise<AsyncIterable<string>> {
    if (/^https?:\/\//i.test(location)) {
      const res = await fetch(location, { redirect: 'follow', signal: AbortSignal.timeout(LinkFeedsService.FETCH_TIMEOUT_MS) });
      if (!res.ok || !res.body) throw new Error(`${location} answered ${res.status}`);
      return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>).setEncoding(
        'utf8',
      ) as AsyncIterable<string>;
    }
    return createReadStream(location.replace(/^file:\/\//i, ''), { encoding: 'utf8' }) as AsyncIterable<string>;
  }
}
