import { Logger } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { SpamScoreService } from '@app/messaging/limits/spam-score.service';
import { JobName, QueueName } from '@app/messaging/queues';
import { payloadId, unknownJob } from './job-payload';

@Processor(QueueName.Spam, { concurrency: 4 })
export class SpamScoreProcessor extends WorkerHost {
  private readonly logger = new Logger(SpamScoreProcessor.name);

  constructor(private readonly spam: SpamScoreService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    if (job.name !== JobName.ScoreSender) return unknownJob(QueueName.Spam, job.name);
    const result = await this.spam.score(payloadId(job.data, 'senderId'));
    return result && { score: result.score, requestLimitFactor: result.requestLimitFactor };
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error) {
    this.logger.warn(`${job?.name ?? 'job'} ${job?.id ?? ''} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message}`);
  }
}
