import { Logger, Module } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { isUuid } from '../ids';
import { JobName, QueueName, type JobPayloads } from '../queues';
import { EnforcementService } from './enforcement/enforcement.service';
import { ReportsService } from './reports/reports.service';
import { SafetyModule } from './safety.module';

/**
 * Timed actions end by themselves: the delayed ExpireAction job recomputes the account's
 * standing once the action has run out, then sweeps any other account whose time is up
 * (a job lost with Redis must not leave anyone suspended forever). Idempotent.
 */
@Processor(QueueName.Expiry)
export class ExpiryProcessor extends WorkerHost {
  private readonly logger = new Logger(ExpiryProcessor.name);

  constructor(private readonly enforcement: EnforcementService) {
    super();
  }

  async process(job: Job): Promise<{ expired: boolean; swept: number } | undefined> {
    if (job.name !== JobName.ExpireAction) {
      this.logger.warn(`ignoring unknown job ${job.name} on ${QueueName.Expiry}`);
      return undefined;
    }
    const { actionId } = (job.data ?? {}) as JobPayloads[JobName.ExpireAction];
    // A malformed payload would fail the same way on every retry: skip it, still sweep.
    const expired = isUuid(actionId) ? await this.enforcement.expireAction(actionId) : false;
    const swept = await this.enforcement.expireDue();
    return { expired, swept };
  }
}

/**
 * First-response deadlines: the delayed ReportDeadline job flags its report overdue when
 * nobody responded in time, and flags any other report past its deadline on the way.
 */
@Processor(QueueName.Deadlines)
export class DeadlinesProcessor extends WorkerHost {
  private readonly logger = new Logger(DeadlinesProcessor.name);

  constructor(private readonly reports: ReportsService) {
    super();
  }

  async process(job: Job): Promise<{ flagged: boolean; swept: number } | undefined> {
    if (job.name !== JobName.ReportDeadline) {
      this.logger.warn(`ignoring unknown job ${job.name} on ${QueueName.Deadlines}`);
      return undefined;
    }
    const { reportId } = (job.data ?? {}) as JobPayloads[JobName.ReportDeadline];
    const flagged = isUuid(reportId) ? await this.reports.flagOverdue(reportId) : false;
    const swept = await this.reports.flagAllOverdue();
    return { flagged, swept };
  }
}

/** The worker role's safety processors. */
@Module({
  imports: [SafetyModule],
  providers: [ExpiryProcessor, DeadlinesProcessor],
})
export class SafetyJobsModule {}
