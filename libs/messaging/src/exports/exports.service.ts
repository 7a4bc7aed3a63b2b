import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { Db, type Queryable } from '../db/db.service';
import { NotFound, RateLimited } from '../errors';
import { isUuid, newId } from '../ids';
import { JobName } from '../queues';
import { EventsService } from '../events/events.service';
import { AccountsService } from '../accounts/accounts.service';
import { forViewer, messageView } from '../views/message-view';
import { loadConversationViews, opensConversation } from '../conversations/conversation-view';
import { NoticesService } from '../safety/enforcement/notices.service';
import { ArchiveWriter } from './archive-writer';
import * as repo from './exports.repository';
import type { DataExportRow, ExportEdgeRow, ExportStatus } from './rows';

/** What `GET /v1/me/export/:id` answers. */
export interface ExportView {
  id: string;
  status: ExportStatus;
  /** Where to download the archive (a path on the API), null until ready. */
  url: string | null;
  createdAt: string;
  expiresAt: string;
}

/** A ready archive, read chunk by chunk. */
export interface ExportDownload {
  size: number;
  stream: Readable;
}

/** An archive is kept this long after it was requested, then the maintenance sweep deletes it. */
export const EXPORT_TTL_SECONDS = 7 * 24 * 3600;
/** At most one export per user in this window (429 rate_limited with Retry-After after). */
export const EXPORT_INTERVAL_SECONDS = 24 * 3600;
/** Archive chunk size (data_export_chunk rows). */
export const EXPORT_CHUNK_BYTES = 1024 * 1024;
/** Messages read per keyset batch, and memberships per page: the writer never holds more. */
const MESSAGE_BATCH = 500;
const MEMBERSHIP_BATCH = 100;
const NOTICE_BATCH = 100;
const EDGE_BATCH = 1000;

/** Writes a JSON array read in keyset pages (`page(after)`, `key` of a row is the next `after`). */
async function writeArray<R>(
  out: ArchiveWriter,
  page: (after: string | null) => Promise<R[]>,
  key: (row: R) => string,
  render: (row: R) => unknown,
): Promise<void> {
  await out.write('[');
  let first = true;
  for (let after: string | null = null; ;) {
    const rows = await page(after);
    for (const r of rows) {
      await out.write(`${first ? '' : ','}${JSON.stringify(render(r))}`);
      first = false;
    }
    if (rows.length === 0) break;
    after = key(rows[rows.length - 1]);
  }
  await out.write(']');
}

const archiveUrl = (id: string) => `/v1/me/export/${id}/archive`;

const toView = (r: DataExportRow): ExportView => ({
  id: r.id,
  status: r.status,
  url: r.status === 'ready' ? archiveUrl(r.id) : null,
  createdAt: r.createdAt.toISOString(),
  expiresAt: r.expiresAt.toISOString(),
});

/**
 * "Your data" (API.md v1.2, issue #31): a user asks for an export, a maintenance job writes
 * the archive into PostgreSQL in chunks (so any API process serves it), the owner downloads
 * it chunk by chunk, and the sweep deletes it after EXPORT_TTL_SECONDS. Which messages it holds
 * is the one visibility policy (memberExportsMessageSql), and each is rendered as the lists
 * render it (views/message-view.ts).
 */
@Injectable()
export class ExportsService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly accounts: AccountsService,
    private readonly notices: NoticesService,
  ) {}

  /** One a day: requests of one user are serialised by a lock, so parallel ones create one export. */
  async request(userId: string): Promise<ExportView> {
    const { row, outboxId } = await this.db.tx(async (q) => {
      await repo.lockUserRequests(q, userId);
      const wait = await repo.secondsUntilNextRequest(q, userId, EXPORT_INTERVAL_SECONDS);
      if (wait !== null) throw new RateLimited(wait, 'You can request one export of your data a day.');
      const row = await repo.insertExport(q, newId(), userId, EXPORT_TTL_SECONDS);
      const outboxId = await this.events.append(
        q,
        [],
        [{ name: JobName.WriteExport, data: { exportId: row.id }, jobId: `write-export-${row.id}` }],
      );
      return { row, outboxId };
    });
    this.events.published(outboxId);
    return toView(row);
  }

  /** Another user's export, an expired one and a malformed id are all 404. */
  async status(userId: string, id: string): Promise<ExportView> {
    return toView(await this.owned(userId, id));
  }

  async download(userId: string, id: string): Promise<ExportDownload> {
    const row = await this.owned(userId, id);
    if (row.status !== 'ready' || row.size === null) throw new NotFound();
    const db = this.db;
    async function* chunks() {
      for (let n = 0; ; n++) {
        const bytes = await repo.chunk(db, id, n);
        if (!bytes) return;
        yield bytes;
      }
    }
    return { size: row.size, stream: Readable.from(chunks()) };
  }

  /**
   * The job: writes the archive `{profile, settings, follows, blocks, conversations, reports,
   * notices}`, conversation by conversation and messages in keyset batches, in one transaction
   * that reads one snapshot and holds the export's row: the archive appears whole or not at all,
   * and a second run of the job (BullMQ delivers at least once) waits, then finds it written.
   */
  async write(exportId: string): Promise<{ written: boolean; size?: number }> {
    return this.db.tx(async (q) => {
      await repo.readOneSnapshot(q);
      const row = await repo.lockPendingExport(q, exportId);
      if (!row) return { written: false };
      return { written: true, size: await this.writeArchive(q, exportId, row.userId) };
    });
  }

  private async writeArchive(q: Queryable, exportId: string, userId: string): Promise<number> {
    const out = new ArchiveWriter((n, bytes) => repo.insertChunk(q, exportId, n, bytes), EXPORT_CHUNK_BYTES);
    // Everything below reads through `q`: the one snapshot of the job's transaction.
    const me = await this.accounts.me(userId, q);
    const hiddenWords = await this.accounts.hiddenWords(userId, q);
    await out.write(`{"exportedAt":${JSON.stringify(new Date().toISOString())}`);
    await out.write(`,"profile":${JSON.stringify({ id: me.id, handle: me.handle, displayName: me.displayName, createdAt: me.createdAt })}`);
    await out.write(
      `,"settings":${JSON.stringify({ allowIncoming: me.allowIncoming, allowGroupInvites: me.allowGroupInvites, hiddenWords: hiddenWords.words, useDefaultList: hiddenWords.useDefaultList })}`,
    );
    const edge = (r: ExportEdgeRow) => ({ userId: r.userId, createdAt: r.createdAt.toISOString() });
    await out.write(`,"follows":`);
    await writeArray(
      out,
      (after: string | null) => repo.followsAfter(q, userId, after, EDGE_BATCH),
      (r) => r.userId,
      edge,
    );
    await out.write(`,"blocks":`);
    await writeArray(
      out,
      (after: string | null) => repo.blocksAfter(q, userId, after, EDGE_BATCH),
      (r) => r.userId,
      edge,
    );
    await out.write(`,"conversations":[`);
    let first = true;
    for (let after: string | null = null; ;) {
      const page = await repo.membershipsAfter(q, userId, after, MEMBERSHIP_BATCH);
      // Rendered as GET /v1/conversations/:id renders them (another member's declined reads as pending).
      const views = await loadConversationViews(q, page, userId);
      for (const id of page) {
        const c = views.get(id);
        if (!c) continue;
        // Who is in it now, their read markers and today's title are what GET
        // /v1/conversations/:id shows an active or pending member; a member who left or
        // declined is answered 404 there, so their archive lists only themselves (the senders
        // of the messages they hold are in those messages) and no title set after they left.
        const current = opensConversation(c.myState);
        const head = {
          id: c.id,
          kind: c.kind,
          title: current ? c.title : null,
          myState: c.myState,
          createdAt: c.createdAt,
          context: c.context,
          members: current ? c.members : c.members.filter((m) => m.userId === userId).map(({ readSeq: _readSeq, ...m }) => m),
        };
        await out.write(`${first ? '' : ','}${JSON.stringify(head).slice(0, -1)},"messages":[`);
        first = false;
        let firstMessage = true;
        for (let seq = 0; ;) {
          const batch = await repo.exportedMessagesAfter(q, id, userId, seq, MESSAGE_BATCH);
          for (const m of batch) {
            await out.write(`${firstMessage ? '' : ','}${JSON.stringify(forViewer(messageView(m), userId))}`);
            firstMessage = false;
          }
          if (batch.length < MESSAGE_BATCH) break;
          seq = Number(batch[batch.length - 1].seq);
        }
        await out.write(`]}`);
      }
      if (page.length < MEMBERSHIP_BATCH) break;
      after = page[page.length - 1];
    }
    await out.write(`]`);

    await out.write(`,"reports":`);
    await writeArray(
      out,
      (after: string | null) => repo.reportsFiledAfter(q, userId, after, EDGE_BATCH),
      (r) => r.id,
      (r) => ({
        ...r,
        status: r.status === 'resolved' ? 'resolved' : 'open',
        createdAt: r.createdAt.toISOString(),
        resolvedAt: r.resolvedAt?.toISOString() ?? null,
      }),
    );
    await out.write(`,"notices":[`);
    let firstNotice = true;
    for (let cursor: string | undefined; ;) {
      const page = await this.notices.list(userId, NOTICE_BATCH, cursor, q);
      for (const n of page.items) {
        await out.write(`${firstNotice ? '' : ','}${JSON.stringify(n)}`);
        firstNotice = false;
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    await out.write(`]}`);

    const size = await out.end();
    await repo.markReady(q, exportId, size);
    return size;
  }

  /** The maintenance sweep: deletes expired exports and their chunks; how many. */
  purgeExpired(): Promise<number> {
    return repo.deleteExpired(this.db);
  }

  private async owned(userId: string, id: string): Promise<DataExportRow> {
    const row = isUuid(id) ? await repo.exportOfOwner(this.db, id, userId) : null;
    if (!row) throw new NotFound();
    return row;
  }
}
