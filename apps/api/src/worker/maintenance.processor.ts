import { Logger } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { EventsService } from '@app/messaging/events/events.service';
import { OutboxRelay } from '@app/messaging/events/outbox-relay';
import { RetainedMessages } from '@app/messaging/messages/retained-messages';
import { HeldLinks } from '@app/messaging/messages/held-links';
import { JobName, QueueName } from '@app/messaging/queues';
import { ExportsService } from '@app/messaging/exports/exports.service';
import { AccountDeletionService } from '@app/messaging/erasure/account-deletion.service';
import { ErasedEvidence } from '@app/messaging/safety/reports/erased-evidence.service';
import { LinkFeedsService } from '@app/messaging/links/link-feeds.service';
import { payloadId, unknownJob } from './job-payload';

/**
 * Housekeeping on a schedule: outbox rows no process drained, events and retained message text
 * past retention, messages held from requests longer than HELD_LINK_MAX_SECONDS, data exports
 * past their expiry (and a deleted account's evidence past its hold), the import of the link
 * reputation feeds (LINK_FEEDS); the writing of a data export's archive (rare: one per user a
 * day) and the erasure of a deleted account's content.
 */
@Processor(QueueName.Maintenance, { concurrency: 1 })
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly relay: OutboxRelay,
    private readonly events: EventsService,
    private readonly retained: RetainedMessages,
    private readonly held: HeldLinks,
    private readonly exports: ExportsService,
    private readonly deletion: AccountDeletionService,
    private readonly evidence: ErasedEvidence,
    private readonly feeds: LinkFeedsService,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.SweepOutbox:
        return { drained: await this.relay.sweep() };
      case JobName.PruneEvents: {
        // The stream's bound first: it covers the rows the partition upkeep then drops.
        const stream = await this.events.pruneStream();
        return { pruned: await this.events.prune(), stream };
      }
      case JobName.PurgeRetainedMessages:
        // Retention of unsent text, and what follows it: a deleted account's evidence and its held handle.
        return {
          purged: await this.retained.purgeExpired(),
          evidence: await this.evidence.purgeExpired(),
          handleHolds: await this.deletion.purgeExpiredHandleHolds(),
        };
      case JobName.ReleaseHeldLinks:
        return { released: await this.held.releaseOverdue() };
      case JobName.WriteExport:
        return this.exports.write(payloadId(job.data, 'exportId'));
      case JobName.PurgeExpiredExports:
        return { purged: await this.exports.purgeExpired() };
      case JobName.EraseAccount:
        return this.deletion.eraseContent(payloadId(job.data, 'userId'));
      case JobName.ImportLinkFeeds:
        return { feeds: await this.feeds.importAll() };
      default:
        return unknownJob(QueueName.Maintenance, job.name);
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error) {
    this.logger.warn(`${job?.name ?? 'job'} failed: ${err.message}`);
  }
}
