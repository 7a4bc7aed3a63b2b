import type { OutboxJob } from '../queues';
import { JobName } from '../queues';
import type { JobsService } from '../queues.module';
import { BacklogWake, WAKE_JOB_MS } from './backlog-wake';

function wakeWithQueue() {
  const added: Array<{ job: OutboxJob; at: number }> = [];
  const queue = {
    enqueue: async (jobs: OutboxJob[]) => {
      for (const job of jobs) added.push({ job, at: Date.now() });
    },
  } as unknown as JobsService;
  return { wake: new BacklogWake(queue), added };
}

describe('BacklogWake (an API-only process)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('follows every send that left a link pending with a scan-backlog job added at or after it, at most one per WAKE_JOB_MS, each with a new jobId', async () => {
    const { wake, added } = wakeWithQueue();
    const sends: number[] = [];
    // A burst: 25 sends 2 ms apart, then a lone one later.
    for (let i = 0; i < 25; i++) {
      sends.push(Date.now());
      wake.sent(true);
      jest.advanceTimersByTime(2);
    }
    jest.advanceTimersByTime(200);
    sends.push(Date.now());
    wake.sent(true);
    jest.advanceTimersByTime(200);
    await Promise.resolve();

    expect(added.every(({ job }) => job.name === JobName.ScanBacklog)).toBe(true);
    expect(new Set(added.map(({ job }) => job.jobId)).size).toBe(added.length);
    // Throttled: the 50 ms burst makes 3-4 jobs, not 25.
    expect(added.length).toBeGreaterThanOrEqual(3);
    expect(added.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < added.length; i++) expect(added[i].at - added[i - 1].at).toBeGreaterThanOrEqual(WAKE_JOB_MS);
    // No send is left without a job added at or after it (a job already running would not see it otherwise).
    for (const at of sends) expect(added.some((a) => a.at >= at)).toBe(true);
  });

  it('adds no job for a send whose links all came from the cache (nothing in it awaits a verdict)', () => {
    const { wake, added } = wakeWithQueue();
    wake.sent(false);
    jest.advanceTimersByTime(100);
    expect(added).toEqual([]);
  });

  it('in a worker process hands every send to the local scan instead, with whether a link is pending', () => {
    const { wake, added } = wakeWithQueue();
    const local: boolean[] = [];
    wake.scanHere((pending) => local.push(pending));
    wake.sent(true);
    wake.sent(false);
    jest.advanceTimersByTime(100);
    expect(local).toEqual([true, false]);
    expect(added).toEqual([]);
  });
});
