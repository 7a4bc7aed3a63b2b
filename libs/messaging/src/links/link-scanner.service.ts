import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { Db, withDeadlockRetry, type Queryable } from '../db/db.service';
import { EventsService } from '../events/events.service';
import { newId } from '../ids';
import { MessagesService } from '../messages/messages.service';
import { HeldLinks } from '../messages/held-links';
import { messageView, type LinkView } from '../views/message-view';
import { JobName, QueueName, type OutboxJob } from '../queues';
import { JobsService } from '../queues.module';
import { BacklogWake } from './backlog-wake';
import { BlocklistService } from './blocklist.service';
import { normalizeUrl } from './link-extractor';
import { classifyUrl, type BlocklistEntry, type LinkVerdict } from './link-rules';
import { LinkReputationService, worseVerdict } from './link-reputation.service';
import { LinkFeedsService } from './link-feeds.service';
import { OFFLINE_SOURCES, safeReason, type LinkSource } from './link-sources';
import { LINK_REMOVALS, QUESTION_LINK_UPDATES, type LinkRemovals, type QuestionLinkUpdates } from './link-consequences';
import * as repo from './link-scanner.repository';
import type {
  BacklogLinkRow,
  BacklogSettle,
  CachedVerdict,
  LinkCacheRow,
  RescanTarget,
  ScanRead,
  SettleInput,
  SettledScan,
} from './link-scanner.repository';

/**
 * A URL's verdict for this scan; `fresh`: decided now (rules or providers), not read from the
 * cache; `sources`: the sources consulted for it (link-sources.ts).
 */
export interface ResolvedVerdict {
  verdict: LinkVerdict;
  reason: string | null;
  rule: string;
  sources: string[];
  fresh: boolean;
}

export type ScanOutcome = 'gone' | 'skipped' | 'unchanged' | 'updated' | 'removed';

interface SettleItem extends SettleInput {
  resolve: (row: SettledScan | null) => void;
  reject: (err: unknown) => void;
}

/** Most sends' link_backlog rows one backlog batch claims (one read, one write statement, one transaction). */
export const BACKLOG_BATCH = 256;

/**
 * How long a woken backlog scan waits for more sends before its first batch: the batch's
 * fixed cost (a transaction, two statements) is shared by the sends of this window.
 */
export const BACKLOG_GATHER_MS = 20;

/**
 * How long a send whose links all came from the cache lets its sightings wait before they are
 * counted into `link` (nothing awaits a verdict; it wrote no backlog row): they are folded in
 * batches of up to a second's sends, or with the next backlog scan.
 */
export const BACKLOG_LAZY_MS = 1000;

/** Rows of the `link_seen` fold's queue one transaction takes (LinkScannerService.foldSightings). */
export const SEEN_FOLD_BATCH = 500;
/** How long the fold waits for a row a send holds before it gives its batch back (foldSightings). */
const SEEN_FOLD_LOCK_WAIT_MS = 50;
/** lock_timeout expired (SQLSTATE 55P03). */
const PG_LOCK_NOT_AVAILABLE = '55P03';

/** How often a woken backlog scan looks again while the link-scan queue is paused. */
const BACKLOG_PAUSED_RETRY_MS = 500;

/** Most messages one settle statement takes. */
const SETTLE_BATCH = 64;

/** Locked scans (removals, held releases, ...) one scan-messages job runs at once. */
const LOCKED_IN_PARALLEL = 4;

/** How far back a new blocklist entry reaches (issue 5: "links seen in the last 7 days"). */
export const BLOCKLIST_RESCAN_DAYS = 7;

/** The scan job for a message or question; the jobId makes a repeated enqueue a no-op. */
export function scanJobFor(kind: 'message' | 'question', id: string, jobId = `scan-${kind}-${id}`): OutboxJob {
  return kind === 'message'
    ? { name: JobName.ScanMessage, data: { messageId: id }, jobId }
    : { name: JobName.ScanQuestion, data: { questionId: id }, jobId };
}

/** Host of a normalised `domain` blocklist pattern, spelled as scanned links are (`*.EVIL.com.` → `evil.com`). */
export function blocklistDomainHost(pattern: string): string | null {
  const bare = pattern.trim().replace(/^\*?\.+/, '');
  const normalized = normalizeUrl(/:\/\//.test(bare) ? bare : `http://${bare}`);
  return normalized === null ? null : new URL(normalized).hostname;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

function linkViewOf(url: string, r: ResolvedVerdict): LinkView {
  return r.reason ? { url, verdict: r.verdict, reason: r.reason, sources: r.sources } : { url, verdict: r.verdict, sources: r.sources };
}

function sameSources(a: ReadonlyArray<string> | undefined, b: ReadonlyArray<string>): boolean {
  return a !== undefined && a.length === b.length && a.every((s, i) => s === b[i]);
}

/** The links JSON with this scan's verdicts, and which URLs it changes (compared before writing). */
export function applyVerdicts(links: LinkView[], resolved: ReadonlyMap<string, ResolvedVerdict>) {
  const changed: string[] = [];
  const firstSeen: string[] = [];
  const next = links.map((l) => {
    const r = resolved.get(l.url);
    if (!r) return l;
    if (l.verdict !== r.verdict || (l.reason ?? null) !== (r.reason ?? null) || !sameSources(l.sources, r.sources)) {
      changed.push(l.url);
      if (l.verdict === 'pending') firstSeen.push(l.url);
    }
    return linkViewOf(l.url, r);
  });
  return { links: next, changed, firstSeen, malicious: next.filter((l) => l.verdict === 'malicious') };
}

/**
 * Link scanning for messages and questions (API.md "Messages" → Links). Each scan:
 * verdicts come from the `link` cache (valid until `expires_at`, or for good once staff
 * overrode it) or are decided now by the offline rules (blocklist, heuristics) plus any
 * configured reputation provider, then written back to the row's `links` with
 * `message.updated` / `question.updated`, all in one transaction with the row locked.
 * A scan compares before writing, so running the same job twice (BullMQ delivers at least
 * once, a crash retries it) writes and emits nothing the second time.
 */
@Injectable()
export class LinkScannerService implements OnModuleInit {
  private readonly logger = new Logger(LinkScannerService.name);

  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly messages: MessagesService,
    private readonly jobs: JobsService,
    private readonly blocklist: BlocklistService,
    private readonly reputation: LinkReputationService,
    private readonly feeds: LinkFeedsService,
    @Inject(LINK_REMOVALS) private readonly removals: LinkRemovals,
    @Inject(QUESTION_LINK_UPDATES) private readonly questions: QuestionLinkUpdates,
    private readonly held: HeldLinks,
    private readonly wake: BacklogWake,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A worker process scans the backlog its own sends leave, woken by each send (BacklogWake). */
  onModuleInit(): void {
    if (this.config.roles.includes('worker')) this.wake.scanHere((pending) => this.scanBacklogSoon(pending));
  }

  /**
   * Verdicts for many URLs: one cache read, rules in memory, providers only on a miss. The
   * blocklist is applied even over a cached verdict (a URL cached `safe` yesterday that staff
   * blocked today is malicious now); a staff override beats everything. Each verdict carries
   * the sources consulted for it (link-sources.ts): a cached one those of its decision; one
   * decided now the offline checks, the loaded reputation feeds (the cache read found the URL in
   * none of them) and the providers that answered. A `safe` one says so in its `reason`.
   */
  async resolve(
    urls: string[],
    blocklist?: ReadonlyArray<BlocklistEntry>,
    cachedRows?: CachedVerdict[],
  ): Promise<Map<string, ResolvedVerdict>> {
    const out = new Map<string, ResolvedVerdict>();
    if (urls.length === 0) return out;
    const list = blocklist ?? (await this.blocklist.current());
    const cached = new Map((cachedRows ?? (await repo.cachedVerdicts(this.db, urls))).map((r) => [r.url, r]));
    let feeds: Promise<LinkSource[]> | null = null;
    await Promise.all(
      [...new Set(urls)].map(async (url) => {
        const hit = cached.get(url);
        if (hit?.overridden) {
          out.set(url, {
            verdict: hit.verdict,
            reason: hit.reason,
            rule: hit.rule ?? 'override',
            sources: hit.sources ?? ['staff'],
            fresh: false,
          });
          return;
        }
        const offline = classifyUrl(url, { blocklist: list });
        if (offline.verdict === 'malicious') {
          out.set(url, {
            verdict: offline.verdict,
            reason: offline.reason,
            rule: offline.rule,
            sources: ['blocklist'],
            fresh: !(hit && hit.verdict === 'malicious' && hit.reason === offline.reason),
          });
          return;
        }
        if (hit) {
          out.set(url, { verdict: hit.verdict, reason: hit.reason, rule: hit.rule ?? 'default', sources: hit.sources ?? [], fresh: false });
          return;
        }
        const sources: string[] = [...OFFLINE_SOURCES, ...(await (feeds ??= this.feeds.consulted()))];
        let decided: ResolvedVerdict = { verdict: offline.verdict, reason: offline.reason, rule: offline.rule, sources, fresh: true };
        if (this.reputation.enabled) {
          const { opinion, answered } = await this.reputation.consult(url);
          sources.push(...answered);
          if (opinion)
            decided = worseVerdict(decided, {
              verdict: opinion.verdict,
              reason: opinion.reason,
              rule: `provider:${opinion.provider}`,
              sources,
              fresh: true,
            });
        }
        if (decided.verdict === 'safe') decided = { ...decided, reason: safeReason(sources) };
        out.set(url, decided);
      }),
    );
    return out;
  }

  private settleQueue: SettleItem[] = [];
  private settling = false;

  /**
   * Queues scans' verdicts for the settle statement (repo.settleScans); resolves with each
   * updated message (recipients included) or null where the message changed meanwhile. The
   * first scan goes at once; scans that finish while a statement is in flight go together in
   * the next one.
   */
  private settle(items: ReadonlyArray<SettleInput>): Promise<Array<SettledScan | null>> {
    // Queued together before the drain starts, so one job's messages share a statement.
    const rows = items.map(
      (item) => new Promise<SettledScan | null>((resolve, reject) => this.settleQueue.push({ ...item, resolve, reject })),
    );
    if (!this.settling) void this.drainSettles();
    return Promise.all(rows);
  }

  private async drainSettles(): Promise<void> {
    this.settling = true;
    try {
      while (this.settleQueue.length) {
        // Distinct messages per statement: a second scan of the same message waits for the next one (and then finds it changed).
        const ids = new Set<string>();
        const batch: SettleItem[] = [];
        const rest: SettleItem[] = [];
        for (const item of this.settleQueue) {
          if (batch.length < SETTLE_BATCH && !ids.has(item.messageId)) {
            ids.add(item.messageId);
            batch.push(item);
          } else rest.push(item);
        }
        this.settleQueue = rest;
        try {
          const rows = await withDeadlockRetry(() =>
            repo.settleScans(this.db, batch, this.config.linkVerdictTtlHours, this.config.eventRetentionDays),
          );
          const byId = new Map(rows.map((r) => [r.id, r]));
          for (const b of batch) b.resolve(byId.get(b.messageId) ?? null);
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.settling = false;
    }
  }

  private readQueue = new Map<string, Array<{ resolve: (row: ScanRead | undefined) => void; reject: (err: unknown) => void }>>();
  private reading = false;

  /**
   * The scan's first read for messages (repo.readScans; a row each, undefined when gone): the
   * first read goes at once; reads asked for while a statement is in flight, by this job or
   * others, go together in the next one (up to SETTLE_BATCH messages).
   */
  private read(messageIds: string[]): Promise<Array<ScanRead | undefined>> {
    const rows = messageIds.map(
      (messageId) =>
        new Promise<ScanRead | undefined>((resolve, reject) => {
          const waiting = this.readQueue.get(messageId);
          if (waiting) waiting.push({ resolve, reject });
          else this.readQueue.set(messageId, [{ resolve, reject }]);
        }),
    );
    if (!this.reading) void this.drainReads();
    return Promise.all(rows);
  }

  private async drainReads(): Promise<void> {
    this.reading = true;
    try {
      while (this.readQueue.size) {
        const batch = [...this.readQueue].slice(0, SETTLE_BATCH);
        for (const [id] of batch) this.readQueue.delete(id);
        try {
          // Unprepared on purpose (repo.readScans says why).
          const rows = await repo.readScans(
            this.db,
            batch.map(([id]) => id),
          );
          const byId = new Map(rows.map((r) => [r.id, r]));
          for (const [id, waiters] of batch) for (const w of waiters) w.resolve(byId.get(id));
        } catch (err) {
          for (const [, waiters] of batch) for (const w of waiters) w.reject(err);
        }
      }
    } finally {
      this.reading = false;
    }
  }

  /** The `link` cache rows this scan writes, in URL order (one lock order for every writer: no deadlocks). */
  private linkRows(resolved: ReadonlyMap<string, ResolvedVerdict>, firstSeen: string[]): LinkCacheRow[] {
    const seen = new Set(firstSeen);
    return [...resolved]
      .filter(([url, r]) => r.fresh || seen.has(url))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([url, r]) => ({
        id: newId(),
        url,
        host: hostOf(url),
        verdict: r.verdict,
        reason: r.reason,
        rule: r.rule,
        sources: r.sources,
        fresh: r.fresh,
        seen: seen.has(url) ? 1 : 0,
      }));
  }

  /** Writes this scan's verdicts into the `link` cache; `firstSeen` URLs count one more sighting. */
  private async recordLinks(q: Queryable, resolved: ReadonlyMap<string, ResolvedVerdict>, firstSeen: string[]): Promise<void> {
    const rows = this.linkRows(resolved, firstSeen);
    if (rows.length === 0) return;
    await repo.recordLinks(q, rows, this.config.linkVerdictTtlHours);
  }

  async scanMessage(messageId: string, blocklist?: ReadonlyArray<BlocklistEntry>): Promise<ScanOutcome> {
    return this.scanOne(messageId, blocklist);
  }

  private async scanOne(messageId: string, blocklist?: ReadonlyArray<BlocklistEntry>): Promise<ScanOutcome> {
    // The common case in two prepared statements: the message with its cached verdicts, then
    // (no link malicious) one statement that writes the verdicts, the cache, the scan stamps
    // and message.updated, guarded by the links it read. Anything else takes scanLocked.
    const [current] = await this.read([messageId]);
    if (!current) return 'gone'; // deleted: its occurrences went with it (ON DELETE CASCADE)
    const urls = current.state === 'visible' ? current.links.map((l) => l.url) : [];
    const resolved = await this.resolve(urls, blocklist, current.cached ?? []);
    const fast = this.settleable(current, resolved);
    if (fast) {
      const [row] = await this.settle([fast]);
      if (row) {
        this.events.push('message.updated', row.recipients, { message: messageView(row.stored) }, row.position);
        return 'updated';
      }
      // The links changed under us (another scan, a removal): decide again, locked.
    }
    return this.scanLocked(messageId, resolved);
  }

  /**
   * Many messages' scans (a scan-messages job, up to SCAN_BATCH): one read, the URLs of all
   * of them resolved together (one blocklist, rules in memory, providers only on a miss),
   * one settle statement for every message whose verdicts change and none is malicious;
   * the others (malicious, held, gone, not visible, changed meanwhile) each take
   * scanLocked, as a single scan would. A failure fails the whole job, whose retry scans
   * them all again: messages already settled then write nothing (`m.links = i.old`).
   * Returns how many messages ended in each outcome.
   */
  async scanMessages(messageIds: string[], blocklist?: ReadonlyArray<BlocklistEntry>): Promise<Partial<Record<ScanOutcome, number>>> {
    const ids = [...new Set(messageIds)];
    const counts: Partial<Record<ScanOutcome, number>> = {};
    const count = (o: ScanOutcome) => (counts[o] = (counts[o] ?? 0) + 1);
    const list = blocklist ?? (await this.blocklist.current());
    const rows = (await this.read(ids)).filter((r): r is ScanRead => Boolean(r));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const visible = rows.filter((r) => r.state === 'visible');
    const urls = visible.flatMap((r) => r.links.map((l) => l.url));
    const resolved = await this.resolve(
      urls,
      list,
      visible.flatMap((r) => r.cached ?? []),
    );

    // Each message's own verdicts: its cache writes (linkRows, recordLinks) cover its own URLs only.
    const own = new Map<string, Map<string, ResolvedVerdict>>();
    for (const r of visible) own.set(r.id, new Map(r.links.filter((l) => resolved.has(l.url)).map((l) => [l.url, resolved.get(l.url)!])));
    const locked: string[] = [];
    const fast: SettleInput[] = [];
    for (const id of ids) {
      const current = byId.get(id);
      if (!current) count('gone');
      else {
        const item = this.settleable(current, own.get(id) ?? new Map());
        if (item) fast.push(item);
        else locked.push(id);
      }
    }
    const settled = fast.length ? await this.settle(fast) : [];
    fast.forEach((item, i) => {
      const row = settled[i];
      if (!row) return locked.push(item.messageId); // changed under us: decide again, locked
      this.events.push('message.updated', row.recipients, { message: messageView(row.stored) }, row.position);
      count('updated');
    });
    // At most LOCKED_IN_PARALLEL transactions per job (a wave of malicious links must not
    // take the pool); every one runs to its end before a failure fails the job.
    let failure = null as { err: unknown } | null;
    const next = locked[Symbol.iterator]();
    const lane = async () => {
      for (let it = next.next(); !it.done; it = next.next()) {
        try {
          count(await this.scanLocked(it.value, own.get(it.value) ?? new Map()));
        } catch (err) {
          failure ??= { err };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOCKED_IN_PARALLEL, locked.length) }, lane));
    if (failure) throw failure.err;
    return counts;
  }

  /**
   * A scan the one settle statement can take: visible, its links change, none malicious,
   * not held from pending members (a held message's release (HeldLinks) goes with its
   * verdicts in scanLocked's transaction). Null: scanLocked decides.
   */
  private settleable(current: ScanRead, resolved: ReadonlyMap<string, ResolvedVerdict>): SettleInput | null {
    if (current.state !== 'visible' || current.links.length === 0 || current.linkHold) return null;
    const next = applyVerdicts(current.links, resolved);
    if (next.changed.length === 0 || next.malicious.length > 0) return null;
    return { messageId: current.id, old: current.links, next: next.links, linkRows: this.linkRows(resolved, next.firstSeen) };
  }

  /** A message's scan in one transaction with its row locked: removals, held releases, and every case the settle statement leaves. */
  private async scanLocked(messageId: string, resolved: ReadonlyMap<string, ResolvedVerdict>): Promise<ScanOutcome> {
    const result = await this.db.tx(async (q) => {
      await this.events.takeMessageTurn(q, messageId); // before the first write (the row lock): positioned as a send is
      const m = await repo.lockMessage(q, messageId);
      if (!m) return { outcome: 'gone' as const, outboxIds: [] };
      const markScanned = () => repo.markMessageScanned(q, messageId);
      if (m.state !== 'visible' || m.links.length === 0) {
        await markScanned();
        return { outcome: 'skipped' as const, outboxIds: [] };
      }
      const next = applyVerdicts(m.links, resolved);
      // Every link has its verdict: a message held from pending members may go to them now.
      const settled = next.links.every((l) => l.verdict !== 'pending');
      if (next.changed.length === 0) {
        const outboxIds = m.linkHold && settled ? (await this.held.releaseIn(q, messageId)).outboxIds : [];
        await markScanned();
        return { outcome: 'unchanged' as const, outboxIds };
      }
      await this.recordLinks(q, resolved, next.firstSeen);
      const outboxIds: Array<string | null> = [];
      let outcome: ScanOutcome;
      if (next.malicious.length > 0) {
        // Verdicts first, so the report's frozen evidence shows the text with the link that
        // condemned it; then the removal blanks text and links for everyone. A message still
        // held is removed held: pending members never hear of it (HeldLinks).
        await repo.setMessageLinks(q, messageId, next.links);
        const removed = {
          kind: 'message' as const,
          id: messageId,
          authorId: m.senderId,
          conversationId: m.conversationId,
          malicious: next.malicious,
        };
        outboxIds.push(await this.removals.reportRemoval(q, removed));
        outboxIds.push((await this.messages.removeIn(q, messageId, 'malicious_link')).outboxId);
        outboxIds.push(await this.removals.enforceRemoval(q, removed));
        outcome = 'removed';
      } else {
        const row = await repo.updateMessageLinks(q, messageId, next.links);
        const view = messageView(row.stored);
        // Same audience as message.created: the sender and the members who may read it (not
        // pending members while it is held); then, held and settled, it reaches them as
        // message.created with the verdicts in it, the first they hear of it.
        outboxIds.push(await this.events.appendMessageEvents(q, 'message.updated', [{ id: row.id, payload: { message: view } }]));
        if (row.linkHold && settled) outboxIds.push(...(await this.held.releaseIn(q, messageId)).outboxIds);
        outcome = 'updated';
      }
      await markScanned();
      return { outcome, outboxIds };
    });
    for (const id of result.outboxIds) this.events.published(id);
    return result.outcome;
  }

  async scanQuestion(questionId: string, blocklist?: ReadonlyArray<BlocklistEntry>): Promise<ScanOutcome> {
    const current = await repo.questionScanState(this.db, questionId);
    if (!current) {
      // question_id has no foreign key: settle orphaned occurrences so the sweep stops retrying them.
      await repo.markQuestionScanned(this.db, questionId);
      return 'gone';
    }
    const urls = current.state === 'visible' ? current.links.map((l) => l.url) : [];
    const resolved = await this.resolve(urls, blocklist);

    const result = await this.db.tx(async (q) => {
      const row = await repo.lockQuestion(q, questionId);
      const markScanned = () => repo.markQuestionScanned(q, questionId);
      if (!row) {
        await markScanned();
        return { outcome: 'gone' as const, outboxIds: [] };
      }
      if (row.state !== 'visible' || (row.links as LinkView[]).length === 0) {
        await markScanned();
        return { outcome: 'skipped' as const, outboxIds: [] };
      }
      const next = applyVerdicts(row.links as LinkView[], resolved);
      if (next.changed.length === 0) {
        await markScanned();
        return { outcome: 'unchanged' as const, outboxIds: [] };
      }
      await this.recordLinks(q, resolved, next.firstSeen);
      const malicious = next.malicious.length > 0;
      const outboxIds: Array<string | null> = [];
      const removed = {
        kind: 'question' as const,
        id: questionId,
        authorId: row.authorId,
        conversationId: null,
        malicious: next.malicious,
      };
      if (malicious) {
        // Verdicts first, so the report's frozen evidence shows the question with its verdicts.
        await repo.setQuestionLinks(q, questionId, next.links);
        outboxIds.push(await this.removals.reportRemoval(q, removed));
      }
      const updated = malicious
        ? await repo.removeQuestionForMaliciousLink(q, questionId)
        : await repo.updateQuestionLinks(q, questionId, next.links);
      outboxIds.push(await this.questions.questionUpdated(q, updated));
      if (malicious) outboxIds.push(await this.removals.enforceRemoval(q, removed));
      await markScanned();
      return { outcome: (malicious ? 'removed' : 'updated') as ScanOutcome, outboxIds };
    });
    for (const id of result.outboxIds) this.events.published(id);
    return result.outcome;
  }

  /**
   * A new blocklist entry: every link seen in the last BLOCKLIST_RESCAN_DAYS that it matches
   * becomes malicious in the cache, and every message/question carrying one is re-scanned
   * (and so removed) by its own job. The occurrences are walked in batches of
   * BLOCKLIST_RESCAN_BATCH by id, each batch one job that enqueues the next (`after`), so no
   * single query or job holds them all; the first pass records `rescan_total` / `rescan_done`
   * on the entry for staff to follow. `followUp` schedules one more pass after the blocklist
   * cache window, for links scanned meanwhile by a process that had not yet seen the entry.
   */
  async rescanBlocklist(entryId: string, followUp: boolean, after = 0): Promise<{ links: number; subjects: number; next: number | null }> {
    const none = { links: 0, subjects: 0, next: null };
    const entry = await this.blocklist.entry(entryId);
    if (!entry) return none; // removed again before we ran: nothing to enforce
    const host = entry.kind === 'domain' ? blocklistDomainHost(entry.pattern) : null;
    const url = entry.kind === 'url' ? normalizeUrl(entry.pattern) : null;
    if (!host && !url) return none;
    const target: RescanTarget = host ? { host } : { url: url! };
    const reason = entry.kind === 'domain' ? 'blocklisted_domain' : 'blocklisted_url';
    const firstOfPass = after === 0;
    const tracked = followUp; // the first pass reports progress; the follow-up pass does not
    const jobs: OutboxJob[] = [];
    let links = 0;
    if (firstOfPass) {
      // Sends still in the backlog are scanned first, against the list with this entry in it
      // (a matching one is removed there), and their occurrences are matched below too.
      await this.blocklist.current(true);
      await this.scanBacklog({ wait: true });
      // Messages whose link was settled from the cache at the send have no occurrence, only a
      // link_seen row: theirs are written now, so the walk below finds them too.
      await repo.materializeSeen(this.db, target, BLOCKLIST_RESCAN_DAYS);
      // Cached verdicts of matching links seen lately, set-based (the URLs never leave PostgreSQL).
      links = await repo.markBlocklistedLinks(this.db, target, reason, this.config.linkVerdictTtlHours, BLOCKLIST_RESCAN_DAYS);
      if (tracked) await repo.startRescanProgress(this.db, entryId, target, BLOCKLIST_RESCAN_DAYS);
      if (followUp) {
        jobs.push({
          name: JobName.RescanBlocklist,
          data: { entryId },
          jobId: `${RESCAN_FOLLOW_UP_PREFIX}${entryId}`,
          delayMs: BlocklistService.CACHE_MS + 1000,
        });
      }
    }
    const batch = await repo.rescanOccurrences(this.db, target, after, BLOCKLIST_RESCAN_DAYS, this.config.blocklistRescanBatch);
    // The SQL is a prefilter; the rule that scans use has the last word.
    const matching = batch.filter((o) => o.visible && classifyUrl(o.url, { blocklist: [entry] }).verdict === 'malicious');
    const seen = new Set<string>();
    for (const o of matching) {
      const key = o.messageId ? `m-${o.messageId}` : `q-${o.questionId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      jobs.push(
        o.messageId
          ? scanJobFor('message', o.messageId, `rescan-${entryId}-m-${o.messageId}`)
          : scanJobFor('question', o.questionId!, `rescan-${entryId}-q-${o.questionId}`),
      );
    }
    const next = batch.length === this.config.blocklistRescanBatch ? batch[batch.length - 1].id : null;
    if (next !== null) {
      const prefix = followUp ? 'rescan-blocklist-' : RESCAN_FOLLOW_UP_PREFIX;
      jobs.push({ name: JobName.RescanBlocklist, data: { entryId, after: next }, jobId: `${prefix}${entryId}-after-${next}` });
    }
    if (jobs.length) await this.jobs.enqueue(jobs);
    if (tracked && batch.length) await repo.addRescanDone(this.db, entryId, batch.length);
    if (links || seen.size) {
      this.logger.log(
        `blocklist ${entry.kind} "${entry.pattern}": ${links} link(s) now malicious, ${seen.size} item(s) re-scanned (after ${after})`,
      );
    }
    return { links, subjects: seen.size, next };
  }

  private backlogRun: Promise<number> | null = null;
  private backlogAgain = false;
  private backlogDue: NodeJS.Timeout | null = null;
  private backlogDueAt = 0;
  private backlogLater = false;
  /** Whether the timer due scans the backlog (a send left a link pending) or only folds sightings. */
  private backlogDueFull = true;

  /**
   * A send with links committed (BacklogWake, in a worker process): with a link `pending`, the
   * backlog is scanned BACKLOG_GATHER_MS from now, or right after the batch in flight; with
   * every link from the cache (it wrote no backlog row), its sightings are folded into `link`
   * within BACKLOG_LAZY_MS (foldSightings; a backlog scan due sooner folds them too). Never
   * waits, never throws.
   */
  scanBacklogSoon(pending = true): void {
    if (this.backlogRun) {
      // A pending link is taken by the round after the one in flight.
      if (pending) this.backlogAgain = true;
      else this.backlogLater = true; // taken within BACKLOG_LAZY_MS of this scan's end
      return;
    }
    const delay = pending ? BACKLOG_GATHER_MS : BACKLOG_LAZY_MS;
    if (this.backlogDue) {
      if (this.backlogDueAt <= Date.now() + delay) return;
      clearTimeout(this.backlogDue); // a pending link comes sooner than the lazy timer
    }
    this.backlogDueAt = Date.now() + delay;
    this.backlogDueFull = pending;
    this.backlogDue = setTimeout(() => void this.scanBacklogDue(), delay);
    this.backlogDue.unref?.();
  }

  /**
   * The woken scan. Pausing the link-scan queue pauses it too (the operator's one switch for
   * "stop scanning"; one Redis read per batch): while paused it looks again every
   * BACKLOG_PAUSED_RETRY_MS, so resuming the queue resumes it.
   */
  private async scanBacklogDue(): Promise<void> {
    try {
      // Redis unreachable: scan anyway (the backlog is in PostgreSQL).
      const paused = await this.jobs
        .queue(QueueName.LinkScan)
        .isPaused()
        .catch(() => false);
      if (paused) {
        this.backlogDue = setTimeout(() => void this.scanBacklogDue(), BACKLOG_PAUSED_RETRY_MS);
        this.backlogDue.unref?.();
        return;
      }
      this.backlogDue = null;
      // Only sends whose links all came from the cache woke it: no backlog row to claim, only their sightings to count.
      if (this.backlogDueFull) await this.scanBacklog();
      else await this.foldSightings();
    } catch (err) {
      this.backlogDue = null;
      this.logger.warn(`link backlog scan failed (the pending sweep retries): ${(err as Error).message}`);
    }
  }

  /**
   * Scans the link backlog (link_backlog: one row per send with links, the scanner's queue) in
   * batches of `batch` until it is empty. Each batch is one transaction: claim the rows (rows
   * another scanner holds are skipped, so several processes never scan one send twice),
   * resolve every distinct URL left pending once, then one statement (BACKLOG_SCAN_SQL) deletes
   * the rows, settles the messages whose verdicts change and none is malicious, writes the
   * `link` cache and the sightings, the occurrences (stamped where the link has its verdict)
   * and message.updated. After commit the events are pushed and the messages the statement
   * cannot take (malicious, held from pending members, changed meanwhile) each take
   * scanLocked, whose transaction stamps their occurrences. Within a process one scan runs at
   * a time: asked for while one runs, it runs once more after it. `wait`: rows another
   * process holds are waited for, not skipped (the blocklist re-scan must find every message
   * sent before it). Returns how many sends' rows this call took.
   */
  async scanBacklog(opts: { batch?: number; wait?: boolean } = {}): Promise<number> {
    const batch = opts.batch ?? BACKLOG_BATCH;
    if (opts.wait) return this.drainBacklog(batch, true);
    if (this.backlogRun) {
      this.backlogAgain = true;
      return this.backlogRun;
    }
    this.backlogRun = (async () => {
      let total = 0;
      try {
        do {
          this.backlogAgain = false;
          total += await this.drainBacklog(batch, false);
        } while (this.backlogAgain);
        return total;
      } finally {
        this.backlogRun = null;
        if (this.backlogLater) {
          this.backlogLater = false;
          this.scanBacklogSoon(false);
        }
      }
    })();
    return this.backlogRun;
  }

  private async drainBacklog(batch: number, wait: boolean): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.scanBacklogBatch(batch, wait);
      total += n;
      if (n < batch) break;
    }
    await this.foldSightings();
    return total;
  }

  /**
   * Counts the sightings that sends settled from the cache recorded in `link_seen` into their
   * `link` rows (seen_count, last_seen_at), in batches of SEEN_FOLD_BATCH rows of its queue,
   * each one transaction (link-scanner.repository.ts foldSeen). Rides on the backlog scan's
   * wakes (a send with every link from the cache wakes it lazily) and the pending sweep.
   */
  async foldSightings(): Promise<number> {
    let total = 0;
    for (;;) {
      let step: { claimed: number; counted: number };
      try {
        step = await this.db.tx(async (q) => {
          // Never a send's wait: a transaction storing a batch of a conversation's sends holds
          // the link_seen rows of several senders, taken in queue order, and may want one this
          // fold holds. Rather than wait (a deadlock until deadlock_timeout, a second of a
          // send's latency), the fold gives its rows back and the next wake folds them.
          await q.query(`SET LOCAL lock_timeout = '${SEEN_FOLD_LOCK_WAIT_MS}ms'`);
          const keys = await repo.claimSeenDirty(q, SEEN_FOLD_BATCH);
          return { claimed: keys.length, counted: await repo.foldSeen(q, keys) };
        });
      } catch (err) {
        if ((err as { code?: string }).code === PG_LOCK_NOT_AVAILABLE) return total; // rolled back: its rows are queued again
        throw err;
      }
      total += step.counted;
      if (step.claimed < SEEN_FOLD_BATCH) return total;
    }
  }

  private async scanBacklogBatch(limit: number, wait: boolean): Promise<number> {
    const { claimed, settled, locked, resolved } = await this.db.tx(async (q) => {
      const claims = await repo.claimBacklog(q, limit, wait);
      const none = { claimed: 0, settled: [] as SettledScan[], locked: [] as string[], resolved: new Map<string, ResolvedVerdict>() };
      if (claims.length === 0) return none;
      // Only a send that left a link pending needs a verdict; every distinct URL is resolved once.
      const toScan = claims
        .map((c) => c.message)
        .filter((m, i): m is ScanRead => !!m && m.state === 'visible' && m.links.length > 0 && claims[i].sent.some((l) => !l.cached));
      const cachedRows = new Map<string, CachedVerdict>();
      for (const m of toScan) for (const c of m.cached ?? []) cachedRows.set(c.url, c);
      const urls = [...new Set(toScan.flatMap((m) => m.links.map((l) => l.url)))];
      // The blocklist is read only when there is something to classify (not by an empty sweep).
      const resolved = urls.length ? await this.resolve(urls, await this.blocklist.current(), [...cachedRows.values()]) : new Map();
      const settles: BacklogSettle[] = [];
      const linkRows: BacklogLinkRow[] = [];
      const locked: string[] = [];
      const conversationOf = new Map(claims.map((c) => [c.messageId, c.conversationId]));
      for (const m of toScan) {
        const own = new Map(m.links.filter((l) => resolved.has(l.url)).map((l) => [l.url, resolved.get(l.url)!]));
        const item = this.settleable(m, own);
        if (item) {
          settles.push({ messageId: m.id, conversationId: conversationOf.get(m.id)!, old: item.old, next: item.next });
          for (const r of item.linkRows) linkRows.push({ ...r, mid: m.id });
        } else if (m.linkHold || applyVerdicts(m.links, own).changed.length > 0) locked.push(m.id);
      }
      // Sightings of the links the send settled from the cache: counted into their `link` rows
      // (the statement never inserts one for them, so the verdict here is never written), one
      // row per URL with the batch's count (a batch of sends of one cached link is one row).
      const sightings = new Map<string, BacklogLinkRow>();
      for (const c of claims) {
        if (!c.message) continue;
        for (const l of c.sent) {
          if (!l.cached) continue;
          const seen = sightings.get(l.url);
          if (seen) seen.seen++;
          else
            sightings.set(l.url, {
              mid: null,
              id: newId(),
              url: l.url,
              host: l.host,
              verdict: 'safe',
              reason: null,
              rule: 'default',
              sources: [],
              fresh: false,
              seen: 1,
            });
        }
      }
      linkRows.push(...sightings.values());
      const rows = await repo.scanBacklogBatch(
        q,
        claims.map((c) => c.ctid),
        settles,
        linkRows,
        this.config.linkVerdictTtlHours,
        this.config.eventRetentionDays,
      );
      const done = new Set(rows.map((r) => r.id));
      // Changed meanwhile (an edit, a removal, another scan): decided again, locked.
      for (const b of settles) if (!done.has(b.messageId)) locked.push(b.messageId);
      return { claimed: claims.length, settled: rows, locked, resolved };
    });
    for (const row of settled) this.events.push('message.updated', row.recipients, { message: messageView(row.stored) }, row.position);
    // At most LOCKED_IN_PARALLEL at once (a wave of malicious links must not take the pool). A
    // failure leaves the message's occurrences unscanned: the pending sweep scans it again.
    const next = locked[Symbol.iterator]();
    const lane = async () => {
      for (let it = next.next(); !it.done; it = next.next()) {
        try {
          await this.scanLocked(it.value, resolved);
        } catch (err) {
          this.logger.warn(`link scan of message ${it.value} failed (the pending sweep retries): ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOCKED_IN_PARALLEL, locked.length) }, lane));
    return claimed;
  }

  /**
   * Re-enqueues scans whose links are still unscanned after `olderThanSeconds` (their job was
   * lost: Redis flushed, a crash between commit and enqueue beyond the outbox sweep, a job
   * failed for good). A finished job with the same id is removed first, since BullMQ would
   * otherwise ignore the new one as a duplicate.
   */
  async sweepPending(olderThanSeconds: number, batch = 500): Promise<number> {
    // A send's links are scanned here at the latest (its wake was lost); then what a scan
    // overlapping another left unstamped, and the scans whose jobs were lost.
    await this.scanBacklog();
    await repo.stampSettledOccurrences(this.db);
    const rows = await repo.pendingScans(this.db, olderThanSeconds, batch);
    if (rows.length === 0) return 0;
    const jobs = rows.map((r) =>
      r.messageId
        ? scanJobFor('message', r.messageId, `sweep-m-${r.messageId}`)
        : scanJobFor('question', r.questionId!, `sweep-q-${r.questionId}`),
    );
    await this.jobs.removeFinished(jobs);
    await this.jobs.enqueue(jobs);
    this.logger.warn(`re-enqueued ${jobs.length} scan(s) left pending over ${olderThanSeconds}s`);
    return jobs.length;
  }
}

/** jobId prefix of the second blocklist pass (it schedules no third). */
export const RESCAN_FOLLOW_UP_PREFIX = 'rescan-again-';
