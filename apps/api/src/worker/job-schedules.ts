import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/messaging/config';
import { JobName, JOB_QUEUE } from '@app/messaging/queues';
import { JobsService } from '@app/messaging/queues.module';
import { HeldLinks } from '@app/messaging/messages/held-links';

interface Schedule {
  name: JobName;
  everyMs: number;
}

/** Periodic jobs, as BullMQ job schedulers (stored in Redis, so N workers still run each tick once). */
export function schedules(config: AppConfig): Schedule[] {
  return [
    { name: JobName.SweepPendingLinks, everyMs: config.linkPendingSweepSeconds * 1000 },
    { name: JobName.SweepOutbox, everyMs: 2000 },
    { name: JobName.PruneEvents, everyMs: 3600_000 },
    { name: JobName.PurgeRetainedMessages, everyMs: 3600_000 },
    { name: JobName.ReleaseHeldLinks, everyMs: HeldLinks.sweepEveryMs(config) },
    { name: JobName.PurgeExpiredExports, everyMs: 3600_000 },
    // Only when DSA_TDB_URL and DSA_TDB_TOKEN are set.
    ...(config.dsaTdb ? [{ name: JobName.SubmitStatements, everyMs: config.dsaTdb.everySeconds * 1000 }] : []),
    // Only with feeds configured (LINK_FEEDS); the first run comes one interval after boot.
    ...(config.linkFeeds.length ? [{ name: JobName.ImportLinkFeeds, everyMs: config.linkFeedIntervalMinutes * 60_000 }] : []),
  ];
}

/**
 * Registered by the worker role only. Upserting is idempotent, so every worker process
 * does it at boot and a changed interval (config) replaces the old one. A missed tick is
 * harmless: each of these jobs catches up on whatever is left.
 */
@Injectable()
export class JobSchedules implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap() {
    for (const s of schedules(this.config)) {
      await this.jobs
        .queue(JOB_QUEUE[s.name])
        .upsertJobScheduler(
          s.name,
          { every: s.everyMs },
          { name: s.name, data: {}, opts: { attempts: 1, removeOnComplete: 50, removeOnFail: 200 } },
        );
    }
  }
}
