import { Injectable, Logger } from '@nestjs/common';
import { newId } from '../ids';
import type { LinkScanWake } from '../messages/link-scan-wake';
import { JobName } from '../queues';
import { JobsService } from '../queues.module';

/** An API-only process adds at most one scan-backlog job per this many ms (the last one after its last send). */
export const WAKE_JOB_MS = 20;

/**
 * How a committed send with links reaches the backlog scan (LINK_SCAN_WAKE). A process that
 * runs the worker role scans the backlog itself: the scanner registers here (scanHere) and
 * each send only nudges its in-process drain (LinkScannerService.scanBacklogSoon), with no
 * Redis round trip. An API-only process adds a scan-backlog job instead for a send that left
 * a link pending (one whose links all came from the cache waits for the next one, or the
 * sweep: nothing in it awaits a verdict), throttled to one per
 * WAKE_JOB_MS with a trailing one: every send is followed by a job added after its commit,
 * whose jobId is new (the process's tag and a counter), so no wake is ever swallowed by a
 * job of the same id that already ran. Whichever worker takes the job scans every row then
 * waiting (rows are claimed with SKIP LOCKED, so several workers never scan one twice). A
 * wake lost with its process (a crash after the commit) only delays the scan until the
 * pending-link sweep, which scans the backlog too.
 */
@Injectable()
export class BacklogWake implements LinkScanWake {
  private readonly logger = new Logger(BacklogWake.name);
  private local: ((pending: boolean) => void) | null = null;
  private readonly tag = newId();
  private jobs = 0;
  private lastJobAt = 0;
  private trailing: NodeJS.Timeout | null = null;

  constructor(private readonly queue: JobsService) {}

  /** This process scans the backlog itself (the worker role): sends call `scan` instead of adding jobs. */
  scanHere(scan: (pending: boolean) => void): void {
    this.local = scan;
  }

  sent(pending: boolean): void {
    if (this.local) return this.local(pending);
    // Links settled from the cache: their occurrences ride with the next wake or the sweep.
    if (!pending) return;
    if (this.trailing) return; // a job is already due after this send's commit
    const wait = this.lastJobAt + WAKE_JOB_MS - Date.now();
    if (wait <= 0) return this.addJob();
    this.trailing = setTimeout(() => {
      this.trailing = null;
      this.addJob();
    }, wait);
    this.trailing.unref?.();
  }

  private addJob(): void {
    this.lastJobAt = Date.now();
    const jobId = `scan-backlog-${this.tag}-${++this.jobs}`;
    this.queue
      .enqueue([{ name: JobName.ScanBacklog, data: {}, jobId }])
      .catch((err: Error) => this.logger.warn(`scan-backlog job not added (the pending sweep scans the backlog): ${err.message}`));
  }
}
