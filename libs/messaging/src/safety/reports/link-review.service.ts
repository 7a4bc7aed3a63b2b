import { Injectable } from '@nestjs/common';
import { parse as parseDomain } from 'tldts';
import { Db, PG_UNIQUE_VIOLATION, type Queryable } from '../../db/db.service';
import { Conflict, ForbiddenRole, InvalidRequest, NotFound } from '../../errors';
import { EventsService } from '../../events/events.service';
import { isUuid, newId } from '../../ids';
import { normalizeUrl } from '../../links/link-extractor';
import { BLOCKLIST_RESCAN_DAYS, blocklistDomainHost, scanJobFor } from '../../links/link-scanner.service';
import { JobName, type OutboxJob } from '../../queues';
import { AuditLogService } from '../../audit/audit-log.service';
import type { StaffActor } from './reports.service';
import {
  blocklistEntryById,
  blocklistPage,
  deleteBlocklistEntry,
  expireVerdictsOfEntry,
  insertBlocklistEntry,
  labelLink,
  linkById,
  linkPage,
  lockLink,
  onBlocklist,
  patternMatches,
  recentOccurrences,
  type BlocklistRow,
  type LinkRow,
} from './link-review.repository';
import type { ListPage, ListQuery } from '../../db/staff-list';
import type { BlocklistKind } from '../vocabulary';

/** Most jobs a single label or blocklist change enqueues; older content is left to its own scans. */
const RESCAN_LIMIT = 1000;
const VERDICT_RANK: Record<string, number> = { pending: 0, safe: 1, suspicious: 2, malicious: 3 };
const PREVIEW_SAMPLE = 10;

/**
 * Staff control over links: labelling one link (an override the scanner then honours over
 * every other signal) and the blocklist (a `domain` entry matches the host and every
 * subdomain; a `url` entry one normalised URL).
 */
@Injectable()
export class LinkReviewService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly audit: AuditLogService,
  ) {}

  /**
   * Links are URLs users sent, often in private messages: every staff read is audited with
   * who asked, the query and how many rows it showed (including searches that found none).
   */
  async listLinks(query: ListQuery, staff: StaffActor): Promise<ListPage<LinkRow>> {
    const page = await linkPage(this.db.replica, query);
    await this.audit.record(this.db, {
      staffId: staff.id,
      action: 'links.read',
      subjectType: 'link',
      subjectId: null,
      after: {
        filter: query.filter,
        sort: [query.sortField, query.sortOrder],
        range: [query.offset, query.offset + query.limit - 1],
        rows: page.rows.length,
        total: page.total,
      },
    });
    return page;
  }

  async oneLink(id: string, staff: StaffActor): Promise<LinkRow> {
    if (!isUuid(id)) throw new NotFound('No such link.');
    const row = await linkById(this.db, id);
    if (!row) throw new NotFound('No such link.');
    await this.audit.record(this.db, { staffId: staff.id, action: 'link.read', subjectType: 'link', subjectId: id, after: { rows: 1 } });
    return row;
  }

  /**
   * Staff label a link: the verdict sticks (overridden) and content carrying it in the last
   * days is re-scanned, so a link labelled malicious takes its messages down and a link
   * cleared as safe loses its warning.
   */
  async label(id: string, staff: StaffActor, verdict: string, reason: string | null): Promise<LinkRow> {
    if (!isUuid(id)) throw new NotFound('No such link.');
    const done = await this.db.tx(async (q) => {
      const before = await lockLink(q, id);
      if (!before) throw new NotFound('No such link.');
      if (staff.role === 'triage') await this.refuseTriageDowngrade(q, before, verdict);
      const row = await labelLink(q, id, verdict, reason ?? 'staff_override');
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'link.label',
        subjectType: 'link',
        subjectId: id,
        before: { verdict: before.verdict, reason: before.reason, rule: before.rule, overridden: before.overridden },
        after: { verdict: row.verdict, reason: row.reason, rule: row.rule, overridden: true },
      });
      const subjects = await recentOccurrences(q, row.url, BLOCKLIST_RESCAN_DAYS, RESCAN_LIMIT);
      const stamp = Date.now();
      const jobs: OutboxJob[] = subjects.map((s) =>
        s.messageId
          ? scanJobFor('message', s.messageId, `label-${id}-${stamp}-m-${s.messageId}`)
          : scanJobFor('question', s.questionId!, `label-${id}-${stamp}-q-${s.questionId}`),
      );
      return { row, outboxId: await this.events.append(q, [], jobs) };
    });
    this.events.published(done.outboxId);
    return done.row;
  }

  /**
   * A label wins over every other signal, so lowering the verdict of a link the blocklist
   * or a reputation provider condemned would whitelist it: that takes a moderator, as
   * labelling malicious does.
   */
  private async refuseTriageDowngrade(q: Queryable, link: LinkRow, verdict: string): Promise<void> {
    const rank = (v: string) => VERDICT_RANK[v] ?? 0;
    const hit = await onBlocklist(q, link.url, link.host);
    const condemnedBy =
      hit || link.rule === 'blocklist' ? 'the blocklist' : String(link.rule ?? '').startsWith('provider:') ? 'a reputation provider' : null;
    const condemned = hit || link.rule === 'blocklist' ? 'malicious' : link.verdict;
    if (condemnedBy && rank(verdict) < rank(condemned)) {
      throw new ForbiddenRole(`This link was condemned by ${condemnedBy}; labelling it ${verdict} needs the moderator role.`);
    }
  }

  listBlocklist(query: ListQuery): Promise<ListPage<BlocklistRow>> {
    return blocklistPage(this.db.replica, query);
  }

  async oneEntry(id: string): Promise<BlocklistRow> {
    if (!isUuid(id)) throw new NotFound('No such blocklist entry.');
    const row = await blocklistEntryById(this.db, id);
    if (!row) throw new NotFound('No such blocklist entry.');
    return row;
  }

  /**
   * The pattern as scans compare it: a domain becomes its lower-case host (`*.EVIL.com.` →
   * `evil.com`, IDN to punycode), a URL its normalised form. Anything else is 400.
   */
  static normalisePattern(kind: BlocklistKind, pattern: string): string {
    const raw = pattern.trim();
    const normalised = kind === 'domain' ? blocklistDomainHost(raw) : normalizeUrl(raw);
    if (kind === 'domain' && normalised) {
      // A public suffix (com, co.uk, github.io) would block every site registered under it.
      const parsed = parseDomain(normalised, { allowPrivateDomains: true });
      if ((parsed.isIcann || parsed.isPrivate) && parsed.publicSuffix && (parsed.domain === null || parsed.publicSuffix === normalised)) {
        throw new InvalidRequest(
          `"${normalised}" is a public suffix: blocking it would block every site registered under it. Block a registrable domain instead (e.g. evil.${normalised}).`,
          [{ field: 'pattern', problems: ['public suffix'] }],
        );
      }
    }
    if (!normalised || (kind === 'domain' && !normalised.includes('.') && !normalised.startsWith('['))) {
      throw new InvalidRequest(
        kind === 'domain'
          ? `"${pattern}" is not a domain name (e.g. evil.example).`
          : `"${pattern}" is not a URL (e.g. https://evil.example/path).`,
        [{ field: 'pattern', problems: [`not a ${kind}`] }],
      );
    }
    if (kind === 'url' && !/^https?:/.test(normalised)) {
      throw new InvalidRequest('A url pattern must be an http or https URL.', [{ field: 'pattern', problems: ['http(s) only'] }]);
    }
    return normalised;
  }

  /** Adds an entry; the re-scan job (after commit) takes down recent content it matches. */
  async addEntry(staff: StaffActor, input: { pattern: string; kind: BlocklistKind; reason?: string | null }): Promise<BlocklistRow> {
    const pattern = LinkReviewService.normalisePattern(input.kind, input.pattern);
    try {
      const done = await this.db.tx(async (q) => {
        const entry = await insertBlocklistEntry(q, {
          id: newId(),
          pattern,
          kind: input.kind,
          reason: input.reason ?? null,
          createdBy: staff.id,
        });
        await this.audit.record(q, {
          staffId: staff.id,
          action: 'blocklist.create',
          subjectType: 'blocklist',
          subjectId: entry.id,
          after: entry,
        });
        const outboxId = await this.events.append(
          q,
          [],
          [{ name: JobName.RescanBlocklist, data: { entryId: entry.id }, jobId: `rescan-blocklist-${entry.id}` }],
        );
        return { entry, outboxId };
      });
      this.events.published(done.outboxId);
      return done.entry;
    } catch (err: any) {
      if (err?.code === PG_UNIQUE_VIOLATION) throw new Conflict(`${input.kind} ${pattern} is already on the blocklist.`);
      throw err;
    }
  }

  async removeEntry(staff: StaffActor, id: string): Promise<BlocklistRow> {
    if (!isUuid(id)) throw new NotFound('No such blocklist entry.');
    return this.db.tx(async (q) => {
      const entry = await deleteBlocklistEntry(q, id);
      if (!entry) throw new NotFound('No such blocklist entry.');
      // Verdicts this entry decided are no longer cached as such: the next sighting of those
      // links is classified afresh (content it already removed stays removed).
      await expireVerdictsOfEntry(q, entry);
      await this.audit.record(q, { staffId: staff.id, action: 'blocklist.delete', subjectType: 'blocklist', subjectId: id, before: entry });
      return entry;
    });
  }

  /** What a new entry would catch: links seen in the last days that it matches. */
  async preview(
    kind: BlocklistKind,
    rawPattern: string,
    staff: StaffActor,
  ): Promise<{ pattern: string; kind: BlocklistKind; matches: number; sample: string[] }> {
    const pattern = LinkReviewService.normalisePattern(kind, rawPattern);
    const row = await patternMatches(this.db, kind, pattern, BLOCKLIST_RESCAN_DAYS, PREVIEW_SAMPLE);
    // The sample shows URLs users sent: audited like every other staff read of them.
    await this.audit.record(this.db, {
      staffId: staff.id,
      action: 'blocklist.preview',
      subjectType: 'blocklist',
      subjectId: null,
      after: { pattern, kind, matches: row.matches, rows: row.sample.length },
    });
    return { pattern, kind, matches: row.matches, sample: row.sample };
  }
}
