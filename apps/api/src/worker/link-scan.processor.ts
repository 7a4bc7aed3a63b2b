import { Inject, Logger } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@app/messaging/config';
import { LinkScannerService, RESCAN_FOLLOW_UP_PREFIX } from '@app/messaging/links/link-scanner.service';
import { JobName, QueueName } from '@app/messaging/queues';
import { safeJobId } from '@app/messaging/queues.module';
import { payloadCursor, payloadId, payloadIds, unknownJob } from './job-payload';

/**
 * The link-scan queue: one thin door per job onto LinkScannerService (STYLE.md, convention 1).
 * Concurrency 32: scans that run together share their read and settle statements
 * (LinkScannerService batches what arrives while a statement is in flight), so more jobs in
 * flight means fewer statements per job. A send writes no scan job: its link_backlog row is
 * scanned in batches by the worker process that sent it, or, sent by an API-only process, on a
 * scan-backlog job (links/backlog-wake.ts). Edits, re-scans and the sweep's retries come as
 * scan-message jobs (scan-messages: many, grouped by the outbox relay). The bench's no-op
 * reference worker uses the same concurrency.
 */
@Processor(QueueName.LinkScan, { concurrency: 32 })
export class LinkScanProcessor extends WorkerHost {
  private readonly logger = new Logger(LinkScanProcessor.name);

  constructor(
    private readonly scanner: LinkScannerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.ScanMessage:
        return this.scanner.scanMessage(payloadId(job.data, 'messageId'));
      case JobName.ScanMessages:
        return this.scanner.scanMessages(payloadIds(job.data, 'messageIds'));
      case JobName.ScanBacklog:
        return this.scanner.scanBacklog();
      case JobName.ScanQuestion:
        return this.scanner.scanQuestion(payloadId(job.data, 'questionId'));
      case JobName.RescanBlocklist:
        // The follow-up pass (after the blocklist cache window) schedules no further pass.
        return this.scanner.rescanBlocklist(
          payloadId(job.data, 'entryId'),
          !String(job.id ?? '').startsWith(safeJobId(RESCAN_FOLLOW_UP_PREFIX)),
          payloadCursor(job.data, 'after'),
        );
      case JobName.SweepPendingLinks:
        return this.scanner.sweepPending(this.config.linkPendingSweepSeconds);
      default:
        return unknownJob(QueueName.LinkScan, job.name);
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error) {
    this.logger.warn(`${job?.name ?? 'job'} ${job?.id ?? ''} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message}`);
  }
}
