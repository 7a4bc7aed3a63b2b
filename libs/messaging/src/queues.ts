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
}

export enum JobName {
  ScanMessage = 'scan-message',
  ScanQuestion = 'scan-question',
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
}

export interface JobPayloads {
  [JobName.ScanMessage]: { messageId: string };
  [JobName.ScanQuestion]: { questionId: string };
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
  [JobName.ScanQuestion]: QueueName.LinkScan,
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
