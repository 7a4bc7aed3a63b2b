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
};

/** A job written to the outbox inside the transaction, enqueued after commit. */
export interface OutboxJob<N extends JobName = JobName> {
  name: N;
  data: JobPayloads[N];
  /** Deduplication id: BullMQ ignores a second add with the same jobId. */
  jobId?: string;
  delayMs?: number;
}
