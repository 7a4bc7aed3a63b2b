import { Injectable } from '@nestjs/common';
import { Db } from '../db/db.service';
import type { BlocklistEntry } from './link-rules';
import { blocklistEntries, blocklistEntry } from './links.repository';

/**
 * The staff blocklist, held in memory for a few seconds: every scan classifies against it,
 * and one query per scan would cost more than the scan. A new entry reaches every process
 * within CACHE_MS; the blocklist re-scan runs a second pass after that window so a link
 * scanned against a stale copy in the meantime is still caught (link-scanner.service.ts).
 */
@Injectable()
export class BlocklistService {
  static readonly CACHE_MS = 5000;
  private entries: BlocklistEntry[] = [];
  private loadedAt = 0;
  private loading: Promise<BlocklistEntry[]> | null = null;

  constructor(private readonly db: Db) {}

  /** `fresh`: skip the cache (a re-scan must see the entry that triggered it). */
  async current(fresh = false): Promise<ReadonlyArray<BlocklistEntry>> {
    if (!fresh && this.loadedAt > 0 && Date.now() - this.loadedAt < BlocklistService.CACHE_MS) return this.entries;
    if (fresh) return this.load();
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<BlocklistEntry[]> {
    this.entries = await blocklistEntries(this.db);
    this.loadedAt = Date.now();
    return this.entries;
  }

  async entry(entryId: string): Promise<(BlocklistEntry & { id: string }) | undefined> {
    return blocklistEntry(this.db, entryId);
  }
}
