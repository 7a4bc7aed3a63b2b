import { Logger } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { PermanentDeliveryError, PlatformWebhooks } from '@app/messaging/platform/platform-webhook';
import { JobName, QueueName, type JobPayloads } from '@app/messaging/queues';
import { unknownJob } from './job-payload';

/** Delivers enforcement notices to the host app (PLATFORM_WEBHOOK_URL); BullMQ retries with backoff. */
@Processor(QueueName.Platform, { concurrency: 4 })
export class PlatformWebhookProcessor extends WorkerHost {
  private readonly logger = new Logger(PlatformWebhookProcessor.name);

  constructor(private readonly webhooks: PlatformWebhooks) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    if (job.name !== JobName.NotifyPlatform) return unknownJob(QueueName.Platform, job.name);
    const body = (job.data as JobPayloads[JobName.NotifyPlatform] | null)?.body;
    if (!body || typeof body.id !== 'string') throw new UnrecoverableError('job payload: body missing');
    try {
      return await this.webhooks.deliver(body);
    } catch (err) {
      if (err instanceof PermanentDeliveryError) throw new UnrecoverableError(err.message);
      throw err;
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error) {
    this.logger.warn(`${job?.name ?? 'job'} ${job?.id ?? ''} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message}`);
  }
}
