import { Logger } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { TdbRefused, TdbSubmitter } from '@app/messaging/safety/dsa/tdb-submitter';
import { JobName, QueueName } from '@app/messaging/queues';
import { unknownJob } from './job-payload';

/** Sends statements of reasons to the EU DSA Transparency Database (scheduled only when DSA_TDB_URL and DSA_TDB_TOKEN are set). */
@Processor(QueueName.DsaTdb, { concurrency: 1 })
export class DsaTdbProcessor extends WorkerHost {
  private readonly logger = new Logger(DsaTdbProcessor.name);

  constructor(private readonly submitter: TdbSubmitter) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    if (job.name !== JobName.SubmitStatements) return unknownJob(QueueName.DsaTdb, job.name);
    try {
      return await this.submitter.submitPending();
    } catch (err) {
      // A refused token or route needs an operator; the next scheduled run tries again.
      if (err instanceof TdbRefused) throw new UnrecoverableError(err.message);
      throw err;
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error) {
    this.logger.warn(`${job?.name ?? 'job'} ${job?.id ?? ''} failed: ${err.message}`);
  }
}
