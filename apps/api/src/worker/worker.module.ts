import { Module } from '@nestjs/common';
import { JobSchedules } from './job-schedules';
import { LinkScanProcessor } from './link-scan.processor';
import { MaintenanceProcessor } from './maintenance.processor';
import { SpamScoreProcessor } from './spam-score.processor';
import { PlatformWebhookProcessor } from './platform-webhook.processor';
import { DsaTdbProcessor } from './dsa-tdb.processor';

/**
 * The worker role (APP_ROLES=worker, or both): BullMQ processors and job schedulers. The
 * queues themselves (producers) live in QueuesModule, which every role loads.
 */
@Module({
  providers: [LinkScanProcessor, SpamScoreProcessor, MaintenanceProcessor, PlatformWebhookProcessor, DsaTdbProcessor, JobSchedules],
})
export class WorkerModule {}
