import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { BullModule, WorkerHost, getQueueToken } from '@nestjs/bullmq';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import type { JobsOptions, Queue, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { Gauge, register } from 'prom-client';
import { APP_CONFIG, type AppConfig } from './config';
import { OutboxRelay } from './events/outbox-relay';
import { JOB_QUEUE, QueueName, type OutboxJob } from './queues';
import { redisClient } from './redis';

const QUEUE_NAMES = Object.values(QueueName);

/** Every queue of QUEUE_NAMES, in that order: one provider injecting each queue's token. */
const ALL_QUEUES = Symbol('ALL_QUEUES');

/**
 * Retried with exponential backoff (1 s, 2 s, 4 s, ...) because a scan that failed on a
 * deadlock or a Redis blip usually succeeds a moment later; processors are idempotent, so
 * a retry (or BullMQ's stalled-job recovery after a crash) never writes anything twice.
 * Finished jobs are kept only in bounded numbers: enough for jobId de-duplication of
 * bursts and for an operator to look at recent failures.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 2000, age: 3600 },
  removeOnFail: { count: 5000, age: 7 * 24 * 3600 },
};

const ENQUEUE_TIMEOUT_MS = 5000;

/**
 * Where a queue's keys live. Single Redis: `<REDIS_PREFIX>bull:<queue>:...` as always. Redis
 * Cluster: BullMQ's scripts touch several keys of one queue at once, so all of them must hash
 * to one slot: the prefix is a hash tag of its own per queue, `{<REDIS_PREFIX>bull:<queue>}`,
 * which also spreads the queues over the shards.
 */
export function queuePrefix(config: AppConfig, queue: QueueName): string {
  return config.redisClusterNodes ? `{${config.redisPrefix}bull:${queue}}` : `${config.redisPrefix}bull`;
}

/**
 * Cluster connections handed to BullMQ (it takes a cluster only as a client instance, which it
 * then treats as shared and never closes): one per queue, used by that queue and its worker
 * (whose blocking connection BullMQ duplicates from it), closed by JobsService at shutdown.
 */
const clusterConnections = new WeakMap<AppConfig, Cluster[]>();

function bullConnection(config: AppConfig) {
  // maxRetriesPerRequest: null is what BullMQ requires for its blocking worker connections.
  if (!config.redisClusterNodes) return { url: config.redisUrl, maxRetriesPerRequest: null };
  const cluster = redisClient(config, { maxRetriesPerRequest: null }) as Cluster;
  clusterConnections.set(config, [...(clusterConnections.get(config) ?? []), cluster]);
  return cluster;
}

/** BullMQ refuses custom job ids containing `:` (they would collide with its own key layout). */
export function safeJobId(jobId: string): string {
  return jobId.replace(/:/g, '.');
}

/**
 * The one producer: maps each typed job to its queue (JOB_QUEUE) and adds it with its
 * jobId (de-duplication) and delay. Registered with the outbox relay so jobs written in a
 * transaction reach Redis only after that transaction committed.
 */
@Injectable()
export class JobsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    @Inject(ALL_QUEUES) private readonly allQueues: Queue[],
    private readonly discovery: DiscoveryService,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit() {
    let lastWarn = 0;
    for (const [i, name] of QUEUE_NAMES.entries()) {
      const queue = this.allQueues[i];
      // Without a listener BullMQ prints every reconnect failure; one line per 10 s says enough.
      queue.on('error', (err) => {
        if (Date.now() - lastWarn < 10_000) return;
        lastWarn = Date.now();
        this.logger.warn(`queue ${name}: ${err.message}`);
      });
      this.queues.set(name, queue);
    }
    this.relay.registerEnqueuer((jobs) => this.enqueue(jobs));
    activeQueues = [...this.queues.values()];
  }

  async onApplicationShutdown() {
    if (activeQueues.every((q) => [...this.queues.values()].includes(q))) activeQueues = [];
    const clusters = clusterConnections.get(this.config);
    if (!clusters) return;
    // BullMQ leaves these shared connections open: close them once every worker (closed by
    // @nestjs/bullmq's explorer in this same shutdown; close() is idempotent) and queue is done.
    // The workers are those of this app's processors (WorkerHost), found as the explorer finds them.
    const workers = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost)
      .map((host): Worker | undefined => {
        try {
          return host.worker;
        } catch {
          return undefined; // a processor whose worker was never started (the API role)
        }
      })
      .filter((w): w is Worker => w !== undefined);
    await Promise.all([...workers.map((w) => w.close()), ...[...this.queues.values()].map((q) => q.close())]).catch(() => undefined);
    clusterConnections.delete(this.config);
    await Promise.all(clusters.map((c) => c.quit().catch(() => c.disconnect())));
  }

  queue(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  /**
   * Removes finished (completed or failed-for-good) jobs with these jobIds, so adding them
   * again runs them again instead of being ignored as duplicates. Waiting, delayed and active
   * jobs are left alone: they will run anyway.
   */
  async removeFinished(jobs: OutboxJob[]): Promise<void> {
    await Promise.all(
      jobs
        .filter((job) => job.jobId)
        .map(async (job) => {
          const found = await this.queue(JOB_QUEUE[job.name]).getJob(safeJobId(job.jobId!));
          if (found && (found.finishedOn || (await found.isFailed()))) await found.remove().catch(() => undefined);
        }),
    );
  }

  /**
   * Adds jobs grouped per queue (one round trip per queue). While Redis is away BullMQ holds
   * the adds until it is back; this stops waiting after ENQUEUE_TIMEOUT_MS (the adds still go
   * through later) so the outbox relay, which also pushes socket events, is never stuck.
   */
  async enqueue(jobs: OutboxJob[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not take ${jobs.length} job(s) within ${ENQUEUE_TIMEOUT_MS} ms; they are added once it is back`)),
        ENQUEUE_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.add(jobs), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async add(jobs: OutboxJob[]): Promise<void> {
    const byQueue = new Map<QueueName, OutboxJob[]>();
    for (const job of jobs) {
      const queue = JOB_QUEUE[job.name];
      if (!queue) {
        this.logger.error(`job ${String(job.name)} names no known queue; dropped`);
        continue;
      }
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), job]);
    }
    await Promise.all(
      [...byQueue].map(([queue, list]) =>
        this.queue(queue).addBulk(
          list.map((job) => ({
            name: job.name,
            data: job.data,
            opts: {
              ...(job.jobId ? { jobId: safeJobId(job.jobId) } : {}),
              ...(job.delayMs && job.delayMs > 0 ? { delay: job.delayMs } : {}),
              ...(job.attempts ? { attempts: job.attempts } : {}),
              ...(job.backoffMs ? { backoff: { type: 'exponential', delay: job.backoffMs } } : {}),
            },
          })),
        ),
      ),
    );
  }
}

/**
 * Queue depth per queue and state, read from Redis on each scrape (not polled), so the
 * numbers are as fresh as the scrape. Module-level because prom-client's registry is
 * process-wide while tests boot several apps in one process: the gauge reads whichever
 * app's queues are live.
 */
let activeQueues: Queue[] = [];
const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

function ensureQueueGauge() {
  if (register.getSingleMetric('bullmq_queue_jobs')) return;
  new Gauge({
    name: 'bullmq_queue_jobs',
    help: 'BullMQ jobs per queue and state, read on scrape',
    labelNames: ['queue', 'state'],
    async collect() {
      this.reset();
      await Promise.all(
        activeQueues.map(async (queue) => {
          let timer: NodeJS.Timeout | undefined;
          try {
            // Redis unreachable: report nothing for this queue rather than hanging the scrape.
            const counts = await Promise.race([
              queue.getJobCounts(...JOB_STATES),
              new Promise<null>((resolve) => {
                timer = setTimeout(() => resolve(null), 1000);
              }),
            ]);
            if (counts) for (const state of JOB_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          } catch {
            // as above
          } finally {
            clearTimeout(timer);
          }
        }),
      );
    },
  });
}

/**
 * BullMQ on the shared Redis, for every role: the API produces jobs, the workers produce
 * (sweeps, follow-ups) and consume them. Keys live under `<REDIS_PREFIX>bull` (see
 * queuePrefix for a cluster) so tests and deployments sharing one Redis never see each
 * other's jobs. Processors and job
 * schedulers are registered by the worker role only (apps/api/src/worker).
 */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // Every queue replaces these two with its own (registerQueueAsync below).
        connection: { url: config.redisUrl, maxRetriesPerRequest: null },
        prefix: `${config.redisPrefix}bull`,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    // Per queue: its prefix (a hash tag of its own on a cluster) and its connection; the
    // queue's worker (@nestjs/bullmq) takes both from the queue's options.
    BullModule.registerQueueAsync(
      ...QUEUE_NAMES.map((name) => ({
        name,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) => ({ prefix: queuePrefix(config, name), connection: bullConnection(config) }),
      })),
    ),
  ],
  providers: [
    JobsService,
    { provide: ALL_QUEUES, useFactory: (...queues: Queue[]) => queues, inject: QUEUE_NAMES.map((name) => getQueueToken(name)) },
  ],
  exports: [BullModule, JobsService],
})
export class QueuesModule {
  constructor() {
    ensureQueueGauge();
  }
}
