import { Injectable } from '@nestjs/common';
import { parse as parseDomain } from 'tldts';
import { Db, PG_UNIQUE_VIOLATION, type Queryable } from '../../db/db.service';
import { Conflict, ForbiddenRole, InvalidRequest, NotFound } from '../../errors';
import { EventsService } from '../../events/events.service';
import { isUuid, newId } from '../../ids';
import { normalizeUrl } from '../../links/link-extractor';
import { BLOCKLIST_RESCAN_DAYS, blocklistDomainHost, scanJobFor } from '../../links/link-scanner.service';
import { JobName, type OutboxJob } from '../../queues';
import { AuditLogService } from '../audit/audit-log.service';
import type { StaffActor } from './reports.service';
import { iso } from '../rows';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../staff/staff-list';
import { LINK_LABELS, type BlocklistKind } from '../vocabulary';

export interface LinkRow {
  id: string;
  url: string;
  host: string;
  verdict: string;
  reason: string | null;
  rule: string | null;
  overridden: boolean;
  seenCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
  scannedAt: string | null;
}

export interface BlocklistRow {
  id: string;
  pattern: string;
  kind: BlocklistKind;
  reason: string | null;
  createdBy: string | null;
  createdAt: string;
  /** The re-scan of recent content this entry started: link occurrences to walk and walked; null until it starts. */
  rescan: { total: number; done: number } | null;
  /** The author's name, for the console. */
  createdByName: string | null;
}

const toLink = (r: any): LinkRow => ({
  id: r.id,
  url: r.url,
  host: r.host,
  verdict: r.verdict,
  reason: r.reason,
  rule: r.rule,
  overridden: r.overridden,
  seenCount: r.seen_count,
  firstSeenAt: iso(r.first_seen_at)!,
  lastSeenAt: iso(r.last_seen_at)!,
  scannedAt: iso(r.scanned_at),
});

const toEntry = (r: any): BlocklistRow => ({
  id: r.id,
  pattern: r.pattern,
  kind: r.kind,
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: iso(r.created_at)!,
  rescan:
    r.rescan_total === null || r.rescan_total === undefined
      ? null
      : { total: r.rescan_total, done: Math.min(r.rescan_done ?? 0, r.rescan_total) },
  createdByName: r.created_by_name ?? null,
});
const AUTHOR = `(SELECT s.display_name FROM staff s WHERE s.id = b.created_by) AS created_by_name`;

const LINKS: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'l.id' },
    verdict: { kind: 'enum', sql: 'l.verdict', values: ['pending', ...LINK_LABELS] },
    host: { kind: 'search', columns: ['l.host'] },
    overridden: { kind: 'bool', sql: 'l.overridden' },
    q: { kind: 'search', columns: ['l.url'] },
  },
  sorts: {
    lastSeenAt: 'l.last_seen_at',
    firstSeenAt: 'l.first_seen_at',
    seenCount: 'l.seen_count',
    url: 'l.url',
    host: 'l.host',
    verdict: 'l.verdict',
    reason: 'l.reason',
    rule: 'l.rule',
    overridden: 'l.overridden',
    scannedAt: 'l.scanned_at',
    id: 'l.id',
  },
  tiebreak: 'l.id ASC',
};

const BLOCKLIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'b.id' },
    kind: { kind: 'enum', sql: 'b.kind', values: ['domain', 'url'] },
    pattern: { kind: 'search', columns: ['b.pattern'] },
    q: { kind: 'search', columns: ['b.pattern', 'b.reason'] },
    createdBy: { kind: 'uuid', sql: 'b.created_by' },
  },
  sorts: { createdAt: 'b.created_at', pattern: 'b.pattern', kind: 'b.kind', reason: 'b.reason', createdBy: 'b.created_by', id: 'b.id' },
  tiebreak: 'b.id ASC',
};

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
    const page = await runList(
      this.db.replica,
      LINKS,
      query,
      (c) => ({
        sql: `SELECT l.*, count(*) OVER () AS _total FROM link l ${c.where} ${c.orderBy}`,
        countSql: `SELECT count(*)::int AS n FROM link l ${c.where}`,
      }),
      toLink,
    );
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
    const row = await this.db.one('SELECT * FROM link WHERE id = $1', [id]);
    if (!row) throw new NotFound('No such link.');
    await this.audit.record(this.db, { staffId: staff.id, action: 'link.read', subjectType: 'link', subjectId: id, after: { rows: 1 } });
    return toLink(row);
  }

  /**
   * Staff label a link: the verdict sticks (overridden) and content carrying it in the last
   * days is re-scanned, so a link labelled malicious takes its messages down and a link
   * cleared as safe loses its warning.
   */
  async label(id: string, staff: StaffActor, verdict: string, reason: string | null): Promise<LinkRow> {
    if (!isUuid(id)) throw new NotFound('No such link.');
    const done = await this.db.tx(async (q) => {
      const [before] = await q.query('SELECT * FROM link WHERE id = $1 FOR UPDATE', [id]);
      if (!before) throw new NotFound('No such link.');
      if (staff.role === 'triage') await this.refuseTriageDowngrade(q, before, verdict);
      const [row] = await q.query(
        `UPDATE link SET verdict = $2, reason = $3, rule = 'staff', overridden = true, scanned_at = now() WHERE id = $1 RETURNING *`,
        [id, verdict, reason ?? 'staff_override'],
      );
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'link.label',
        subjectType: 'link',
        subjectId: id,
        before: { verdict: before.verdict, reason: before.reason, rule: before.rule, overridden: before.overridden },
        after: { verdict: row.verdict, reason: row.reason, rule: row.rule, overridden: true },
      });
      const subjects = await q.query(
        `SELECT DISTINCT o.message_id, o.question_id FROM link_occurrence o
          WHERE o.url = $1 AND o.created_at > now() - make_interval(days => $2) LIMIT $3`,
        [row.url, BLOCKLIST_RESCAN_DAYS, RESCAN_LIMIT],
      );
      const stamp = Date.now();
      const jobs: OutboxJob[] = subjects.map((s) =>
        s.message_id
          ? scanJobFor('message', s.message_id, `label-${id}-${stamp}-m-${s.message_id}`)
          : scanJobFor('question', s.question_id, `label-${id}-${stamp}-q-${s.question_id}`),
      );
      return { row, outboxId: await this.events.append(q, [], jobs) };
    });
    this.events.published(done.outboxId);
    return toLink(done.row);
  }

  /**
   * A label wins over every other signal, so lowering the verdict of a link the blocklist
   * or a reputation provider condemned would whitelist it: that takes a moderator, as
   * labelling malicious does.
   */
  private async refuseTriageDowngrade(q: Queryable, link: any, verdict: string): Promise<void> {
    const rank = (v: string) => VERDICT_RANK[v] ?? 0;
    const [hit] = await q.query(
      `SELECT 1 FROM blocklist_entry b
        WHERE (b.kind = 'url' AND b.pattern = $1)
           OR (b.kind = 'domain' AND ($2 = b.pattern OR right($2, length(b.pattern) + 1) = '.' || b.pattern))
        LIMIT 1`,
      [link.url, link.host],
    );
    const condemnedBy =
      hit || link.rule === 'blocklist' ? 'the blocklist' : String(link.rule ?? '').startsWith('provider:') ? 'a reputation provider' : null;
    const condemned = hit || link.rule === 'blocklist' ? 'malicious' : link.verdict;
    if (condemnedBy && rank(verdict) < rank(condemned)) {
      throw new ForbiddenRole(`This link was condemned by ${condemnedBy}; labelling it ${verdict} needs the moderator role.`);
    }
  }

  listBlocklist(query: ListQuery): Promise<ListPage<BlocklistRow>> {
    return runList(
      this.db.replica,
      BLOCKLIST,
      query,
      (c) => ({
        sql: `SELECT b.*, ${AUTHOR}, count(*) OVER () AS _total FROM blocklist_entry b ${c.where} ${c.orderBy}`,
        countSql: `SELECT count(*)::int AS n FROM blocklist_entry b ${c.where}`,
      }),
      toEntry,
    );
  }

  async oneEntry(id: string): Promise<BlocklistRow> {
    if (!isUuid(id)) throw new NotFound('No such blocklist entry.');
    const row = await this.db.one(`SELECT b.*, ${AUTHOR} FROM blocklist_entry b WHERE b.id = $1`, [id]);
    if (!row) throw new NotFound('No such blocklist entry.');
    return toEntry(row);
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
        const [row] = await q.query(
          `INSERT INTO blocklist_entry (id, pattern, kind, reason, created_by) VALUES ($1, $2, $3, $4, $5)
           RETURNING *, (SELECT s.display_name FROM staff s WHERE s.id = $5) AS created_by_name`,
          [newId(), pattern, input.kind, input.reason ?? null, staff.id],
        );
        const entry = toEntry(row);
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
      const [row] = await q.query('DELETE FROM blocklist_entry WHERE id = $1 RETURNING *', [id]);
      if (!row) throw new NotFound('No such blocklist entry.');
      const entry = toEntry(row);
      // Verdicts this entry decided are no longer cached as such: the next sighting of those
      // links is classified afresh (content it already removed stays removed).
      const match = entry.kind === 'domain' ? `(host = $1 OR right(host, length($1) + 1) = '.' || $1)` : 'url = $1';
      await q.query(`UPDATE link SET expires_at = now() WHERE rule = 'blocklist' AND NOT overridden AND ${match}`, [entry.pattern]);
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
    const match = kind === 'domain' ? `(o.host = $1 OR right(o.host, length($1) + 1) = '.' || $1)` : 'o.url = $1';
    const [row] = await this.db.query(
      `WITH hits AS (SELECT o.url, o.created_at FROM link_occurrence o
                      WHERE o.created_at > now() - make_interval(days => $2) AND ${match})
       SELECT (SELECT count(*)::int FROM hits) AS matches,
              coalesce((SELECT array_agg(url) FROM (SELECT url FROM hits GROUP BY url ORDER BY max(created_at) DESC LIMIT $3) s), '{}') AS sample`,
      [pattern, BLOCKLIST_RESCAN_DAYS, PREVIEW_SAMPLE],
    );
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
