import { randomUUID } from 'node:crypto';
import { JobName, SCAN_BATCH, batchScanJobs, sendScanJobId, type OutboxJob } from './queues';

const sendScan = (messageId: string): OutboxJob => ({ name: JobName.ScanMessage, data: { messageId }, jobId: sendScanJobId(messageId) });

describe('batchScanJobs', () => {
  it("groups the sends' scan jobs into scan-messages jobs of at most SCAN_BATCH, in order, and leaves every other job as it was", () => {
    const ids = Array.from({ length: SCAN_BATCH + 3 }, () => randomUUID());
    const edit: OutboxJob = { name: JobName.ScanMessage, data: { messageId: ids[0] }, jobId: `scan-message-${ids[0]}-edit-1` };
    const score: OutboxJob = { name: JobName.ScoreSender, data: { senderId: ids[1] }, jobId: 'score' };
    const out = batchScanJobs([edit, ...ids.map(sendScan), score]);
    expect(out.slice(0, 2)).toEqual([edit, score]);
    expect(out.slice(2).map((j) => [j.name, (j.data as any).messageIds])).toEqual([
      [JobName.ScanMessages, ids.slice(0, SCAN_BATCH)],
      [JobName.ScanMessages, ids.slice(SCAN_BATCH)],
    ]);
    expect(new Set(out.slice(2).map((j) => j.jobId)).size).toBe(2);
  });

  it('names a batch by its messages: the same drain again makes the same jobId (BullMQ ignores it), another grouping another one', () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const [first] = batchScanJobs(ids.map(sendScan));
    const [again] = batchScanJobs(ids.map(sendScan));
    const [other] = batchScanJobs(ids.slice(0, 2).map(sendScan));
    expect(first.jobId).toMatch(/^scan-messages-[0-9a-f]{40}$/);
    expect(again.jobId).toBe(first.jobId);
    expect(other.jobId).not.toBe(first.jobId);
  });

  it('a lone scan stays the message’s own job; a message twice in one drain is scanned once', () => {
    const id = randomUUID();
    expect(batchScanJobs([sendScan(id)])).toEqual([sendScan(id)]);
    expect(batchScanJobs([sendScan(id), sendScan(id)])).toEqual([sendScan(id)]);
    expect(batchScanJobs([])).toEqual([]);
  });
});
