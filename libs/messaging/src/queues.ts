import { createHash } from 'node:crypto';

/**
 * Queue and job names with their payload types (STYLE.md, convention 5). Producers and
 * processors import these; nothing spells a queue name as a bare string.
 */
export enum QueueName {
  LinkScan = 'link-scan',
  Spam = 'spam-score',
  Expiry = 'expiry',
  Deadlines = 'deadlines',
  Maintenance = 'maintenance',
  Platform = 'platform',
  /** The EU DSA Transparency Database submitter: its own queue, so a slow database holds up nothing else. */
  DsaTdb = 'dsa-tdb',
}

export enum JobName {
  ScanMessage = 'scan-message',
  /** Many messages' scans in one job (the send's scan jobs grouped by the outbox relay: batchScanJobs). */
  ScanMessages = 'scan-messages',
  ScanQuestion = 'scan-question',
  /** Scan what waits in link_backlog (an API-only process's wake after its sends: links/backlog-wake.ts). */
  ScanBacklog = 'scan-backlog',
  RescanBlocklist = 'rescan-blocklist',
  SweepPendingLinks = 'sweep-pending-links',
  ScoreSender = 'score-sender',
  ExpireAction = 'expire-action',
  ReportDeadline = 'report-deadline',
  PruneEvents = 'prune-events',
  SweepOutbox = 'sweep-outbox',
  PurgeRetainedMessages = 'purge-retained-messages',
  ReleaseHeldLinks = 'release-held-links',
  NotifyPlatform = 'notify-platform',
  /** Writes one data export's archive (exports/exports.service.ts). */
  WriteExport = 'write-export',
  /** Deletes data exports past their expiry. */
  PurgeExpiredExports = 'purge-expired-exports',
  /** Erases what a deleted account wrote (erasure/account-deletion.service.ts). */
  EraseAccount = 'erase-account',
  /** Sends unsent statements of reasons to the EU DSA Transparency Database (safety/dsa/tdb-submitter.ts). */
  SubmitStatements = 'submit-statements',
  /** Imports the reputation feeds of LINK_FEEDS into the link verdict cache (links/link-feeds.service.ts). */
  ImportLinkFeeds = 'import-link-feeds',
}

export interface JobPayloads {
  [JobName.ScanMessage]: { messageId: string };
  [JobName.ScanMessages]: { messageIds: string[] };
  [JobName.ScanQuestion]: { questionId: string };
  [JobName.ScanBacklog]: Record<string, never>;
  [JobName.RescanBlocklist]: { entryId: string; /** link_occurrence id the previous batch ended at */ after?: number };
  [JobName.SweepPendingLinks]: Record<string, never>;
  [JobName.ScoreSender]: { senderId: string };
  [JobName.ExpireAction]: { actionId: string };
  [JobName.ReportDeadline]: { reportId: string };
  [JobName.PruneEvents]: Record<string, never>;
  [JobName.SweepOutbox]: Record<string, never>;
  [JobName.PurgeRetainedMessages]: Record<string, never>;
  [JobName.ReleaseHeldLinks]: Record<string, never>;
  /** The signed JSON body to POST to PLATFORM_WEBHOOK_URL (built when staff acted). */
  [JobName.NotifyPlatform]: { body: PlatformWebhookBody };
  [JobName.WriteExport]: { exportId: string };
  [JobName.PurgeExpiredExports]: Record<string, never>;
  [JobName.EraseAccount]: { userId: string };
  [JobName.SubmitStatements]: Record<string, never>;
  [JobName.ImportLinkFeeds]: Record<string, never>;
}

/** What the host app's backend receives when staff act against one of its users. */
export interface PlatformWebhookBody {
  /** The delivery id: the same on every retry, so the receiver can de-duplicate. */
  id: string;
  type: 'enforcement.applied' | 'enforcement.lifted';
  createdAt: string;
  user: { id: string; externalId: string };
  action: { id: string; action: string; reason: string | null; expiresAt: string | null };
  standing: { status: string; suspendedUntil: string | null; restrictedUntil: string | null };
}

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.ScanMessage]: QueueName.LinkScan,
  [JobName.ScanMessages]: QueueName.LinkScan,
  [JobName.ScanQuestion]: QueueName.LinkScan,
  [JobName.ScanBacklog]: QueueName.LinkScan,
  [JobName.RescanBlocklist]: QueueName.LinkScan,
  [JobName.SweepPendingLinks]: QueueName.LinkScan,
  [JobName.ScoreSender]: QueueName.Spam,
  [JobName.ExpireAction]: QueueName.Expiry,
  [JobName.ReportDeadline]: QueueName.Deadlines,
  [JobName.PruneEvents]: QueueName.Maintenance,
  [JobName.SweepOutbox]: QueueName.Maintenance,
  [JobName.PurgeRetainedMessages]: QueueName.Maintenance,
  // Not on the link-scan queue: a scan backlog must not delay releasing what waits for it.
  [JobName.ReleaseHeldLinks]: QueueName.Maintenance,
  // Its own queue: a slow or failing receiver never holds up housekeeping or scans.
  [JobName.NotifyPlatform]: QueueName.Platform,
  // Rare (one per user per day) and streamed in batches, so housekeeping waits little for one.
  [JobName.WriteExport]: QueueName.Maintenance,
  [JobName.PurgeExpiredExports]: QueueName.Maintenance,
  // Rare (one per deleted account), in batches; idempotent, so a retry finishes what a crash left.
  [JobName.EraseAccount]: QueueName.Maintenance,
  [JobName.SubmitStatements]: QueueName.DsaTdb,
  // Housekeeping-sized: one streamed import every LINK_FEED_INTERVAL_MINUTES, in batches.
  [JobName.ImportLinkFeeds]: QueueName.Maintenance,
};

/** A job written to the outbox inside the transaction, enqueued after commit. */
export interface OutboxJob<N extends JobName = JobName> {
  name: N;
  data: JobPayloads[N];
  /** Deduplication id: BullMQ ignores a second add with the same jobId. */
  jobId?: string;
  delayMs?: number;
  /** Overrides DEFAULT_JOB_OPTIONS (attempts, exponential backoff base) for this job. */
  attempts?: number;
  backoffMs?: number;
}

/** Most messages one scan-messages job carries (the scanner settles them in one statement). */
export const SCAN_BATCH = 64;

/** jobId of the send's own scan job for a message (MessagesService.send). */
export const sendScanJobId = (messageId: string) => `scan-message-${messageId}`;

/**
 * The jobs an outbox drain moves, with the send's per-message scan jobs (jobId
 * `scan-message-<id>`) grouped into scan-messages jobs of up to SCAN_BATCH messages, so the
 * link-scan worker pays BullMQ's per-job cost (fetch, lock, moveToFinished) once per batch
 * and reads and settles the batch in one statement each. A batch's jobId is a digest of its
 * message ids (`scan-messages-<sha1>`): a repeated drain of the same rows adds nothing; a
 * drain that groups them differently (the outbox sweep after a crash) scans some messages
 * twice, which writes nothing the second time (scans compare before writing). A lone scan
 * job, and every other scan (edits, rescans, sweeps: other jobIds), is left as is.
 */
export function batchScanJobs(jobs: ReadonlyArray<OutboxJob>): OutboxJob[] {
  const out: OutboxJob[] = [];
  const scans: string[] = [];
  for (const job of jobs) {
    const messageId = job.name === JobName.ScanMessage ? (job.data as JobPayloads[JobName.ScanMessage]).messageId : null;
    if (messageId && job.jobId === sendScanJobId(messageId) && !job.delayMs && !job.attempts) scans.push(messageId);
    else out.push(job);
  }
  const ids = [...new Set(scans)];
  if (ids.length === 1) out.push({ name: JobName.ScanMessage, data: { messageId: ids[0] }, jobId: sendScanJobId(ids[0]) });
  else {
    for (let i = 0; i < ids.length; i += SCAN_BATCH) {
      const messageIds = ids.slice(i, i + SCAN_BATCH);
      const digest = createHash('sha1').update(messageIds.join(',')).digest('hex');
      out.push({ name: JobName.ScanMessages, data: { messageIds }, jobId: `scan-messages-${digest}` });
    }
  }
  return out;
}
