import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../db/db.service';
import { MAX_MESSAGE_VERSIONS } from '../../messages/message-edits.service';
import { iso } from '../../db/row-values';
import type { SubjectType } from '../vocabulary';

/** Messages kept on each side of a reported message. */
export const CONTEXT_MESSAGES = 10;
/** Messages kept for a reported conversation or user (the most recent ones). */
export const RECENT_MESSAGES = 20;

/** A subject after ReportsService checked the reporter may see it. */
export interface CaseSubject {
  type: SubjectType;
  id: string;
  subjectUserId: string | null;
  conversationId: string | null;
  /** The reporter's member state in that conversation at report time. */
  reporterState: string | null;
  messageSeq?: number;
  roomId?: string | null;
  /** Whom report-and-block blocks (v1.1): a message's sender, a user, a question's author, a direct conversation's other member; null for a group. */
  blockUserId?: string | null;
}

export interface EvidenceMessage {
  id: string;
  conversationId: string;
  seq: number | null;
  senderId: string;
  senderHandle: string;
  text: string | null;
  links: Array<{ url: string; verdict: string; reason: string | null }>;
  state: string;
  removedReason: string | null;
  /** When it was unsent or removed (null while visible). */
  removedAt?: string | null;
  /**
   * The text and links come from the staff-only copy kept after an unsend or removal
   * (see MessagesService.removeIn); false for a removed message whose copy was purged.
   */
  retained?: boolean;
  createdAt: string;
  reported: boolean;
  /** When it was last edited (v1.1); null if never. */
  editedAt?: string | null;
  /**
   * Every earlier version of an edited message, oldest first (v1.1, `message_version`): the
   * text and links it had from `writtenAt` until an edit replaced them at `replacedAt`. The
   * current text is the message's own `text`. Frozen with the report like the rest.
   */
  versions?: EvidenceVersion[];
  /**
   * Earlier versions left out of `versions` to keep the evidence bounded (a message edited
   * before MAX_MESSAGE_VERSIONS was enforced): `versions` holds the original and the newest.
   */
  versionsOmitted?: number;
}

export interface EvidenceVersion {
  version: number;
  text: string | null;
  links: Array<{ url: string; verdict: string; reason?: string | null }>;
  writtenAt: string;
  replacedAt: string;
}

export interface Evidence {
  version: 1;
  capturedAt: string;
  subject: Record<string, unknown>;
  reporter: { id: string; handle: string } | null;
  messages: EvidenceMessage[];
  participants: Array<{ userId: string; handle: string; displayName: string; state: string; role: string }>;
  conversation: {
    id: string;
    kind: string;
    title: string | null;
    creatorId: string | null;
    context: unknown;
    createdAt: string;
    wasRequest: boolean;
    reporterState: string | null;
  } | null;
  room: { id: string; title: string; status: string; hostId: string; createdAt: string } | null;
}

/**
 * Links with their verdicts as of now: the scanner's verdict in `link` wins over the
 * `pending` written at send time. Accepts `links` as [{url, verdict}] or as plain URLs.
 */
const MESSAGE_COLUMNS = `
  m.id, m.conversation_id, m.seq, m.sender_id, su.handle AS sender_handle, m.state, m.removed_reason, m.created_at, m.edited_at,
  CASE WHEN m.state = 'removed' THEN m.updated_at END AS removed_at,
  (mr.message_id IS NOT NULL) AS retained,
  coalesce(m.text, mr.text) AS text,
  coalesce((
    SELECT jsonb_agg(jsonb_build_object(
             'url', x.url,
             'verdict', coalesce(nullif(lk.verdict, 'pending'), x.verdict, lk.verdict, 'pending'),
             'reason', coalesce(lk.reason, x.reason)) ORDER BY x.ord)
      FROM (SELECT e.ord,
                   CASE WHEN jsonb_typeof(e.l) = 'string' THEN e.l #>> '{}' ELSE e.l ->> 'url' END AS url,
                   e.l ->> 'verdict' AS verdict, e.l ->> 'reason' AS reason
              FROM jsonb_array_elements(CASE WHEN mr.message_id IS NOT NULL THEN mr.links
                                             WHEN jsonb_typeof(m.links) = 'array' THEN m.links ELSE '[]'::jsonb END)
                   WITH ORDINALITY AS e(l, ord)) x
      LEFT JOIN link lk ON lk.url = x.url), '[]'::jsonb) AS links`;

/** Messages with their sender and, for staff only, the retained copy of removed text. */
const MESSAGE_FROM = `message m JOIN app_user su ON su.id = m.sender_id LEFT JOIN message_retained mr ON mr.message_id = m.id`;

const toMessage = (r: any, reportedId: string | null): EvidenceMessage => ({
  id: r.id,
  conversationId: r.conversation_id,
  seq: r.seq === null || r.seq === undefined ? null : Number(r.seq),
  senderId: r.sender_id,
  senderHandle: r.sender_handle,
  text: r.text,
  links: r.links ?? [],
  state: r.state,
  removedReason: r.removed_reason,
  removedAt: iso(r.removed_at) ?? null,
  retained: r.retained === true,
  createdAt: iso(r.created_at)!,
  reported: r.id === reportedId,
  editedAt: iso(r.edited_at) ?? null,
  versions: [],
});

/**
 * Fills in each message's earlier versions (one read for all of them), at most
 * MAX_MESSAGE_VERSIONS each, the bound an edit keeps to (so a snapshot stays bounded whatever
 * history a message has): the original, which members read first, and the newest ones.
 */
async function attachVersions(q: Queryable, messages: EvidenceMessage[]): Promise<void> {
  const ids = messages.filter((m) => m.editedAt).map((m) => m.id);
  if (ids.length === 0) return;
  const rows = await q.query(
    `SELECT message_id, version, text, links, written_at, replaced_at, omitted
       FROM (SELECT v.*, row_number() OVER (PARTITION BY v.message_id ORDER BY v.version DESC) AS newest,
                    greatest(count(*) OVER (PARTITION BY v.message_id) - $2, 0) AS omitted,
                    min(v.version) OVER (PARTITION BY v.message_id) AS first
               FROM message_version v WHERE v.message_id = ANY($1::uuid[])) t
      WHERE t.version = t.first OR t.newest < $2
      ORDER BY message_id, version`,
    [ids, MAX_MESSAGE_VERSIONS],
  );
  for (const m of messages) {
    const mine = rows.filter((r) => r.message_id === m.id);
    m.versions = mine.map((r) => ({
      version: Number(r.version),
      text: r.text,
      links: r.links ?? [],
      writtenAt: iso(r.written_at)!,
      replacedAt: iso(r.replaced_at)!,
    }));
    const omitted = mine.length ? Number(mine[0].omitted) : 0;
    if (omitted > 0) m.versionsOmitted = omitted;
  }
}

/**
 * Freezes what staff need to judge a report, as it is at report time: the reported
 * message(s) with text, links and verdicts, sender and time, up to ten messages either
 * side, the participants and their states, whether the conversation was a request, and
 * the room it came from. The snapshot is a copy in `report.evidence`: unsending or
 * removing a message later never changes it.
 */
@Injectable()
export class CaseSnapshot {
  async freeze(q: Queryable, s: CaseSubject, reporterId: string | null): Promise<Evidence> {
    const [reporter] = reporterId ? await q.query('SELECT id, handle FROM app_user WHERE id = $1', [reporterId]) : [];
    const evidence: Evidence = {
      version: 1,
      capturedAt: new Date().toISOString(),
      subject: { type: s.type, id: s.id },
      reporter: reporter ? { id: reporter.id, handle: reporter.handle } : null,
      messages: [],
      participants: [],
      conversation: null,
      room: null,
    };
    let roomId: string | null = s.roomId ?? null;

    if (s.conversationId) {
      const conv = await this.conversation(q, s.conversationId, s.reporterState);
      evidence.conversation = conv.conversation;
      evidence.participants = conv.participants;
      roomId = roomId ?? conv.roomId;
    }

    if (s.type === 'message') {
      const rows = await q.query(
        `SELECT ${MESSAGE_COLUMNS} FROM ${MESSAGE_FROM}
          WHERE m.conversation_id = $1 AND m.seq BETWEEN $2::bigint - $3 AND $2::bigint + $3 ORDER BY m.seq`,
        [s.conversationId, s.messageSeq, CONTEXT_MESSAGES],
      );
      evidence.messages = rows.map((r) => toMessage(r, s.id));
      const reported = evidence.messages.find((m) => m.reported);
      evidence.subject = {
        type: 'message',
        id: s.id,
        ...(reported
          ? { message: reported, senderId: reported.senderId, senderHandle: reported.senderHandle, sentAt: reported.createdAt }
          : {}),
      };
    } else if (s.type === 'conversation') {
      const rows = await q.query(
        `SELECT * FROM (SELECT ${MESSAGE_COLUMNS} FROM ${MESSAGE_FROM}
            WHERE m.conversation_id = $1 ORDER BY m.seq DESC LIMIT $2) t ORDER BY seq`,
        [s.conversationId, RECENT_MESSAGES],
      );
      evidence.messages = rows.map((r) => toMessage(r, null));
      evidence.subject = { type: 'conversation', id: s.id, creatorId: evidence.conversation?.creatorId ?? null };
    } else if (s.type === 'user') {
      const [u] = await q.query('SELECT id, handle, display_name, status, created_at FROM app_user WHERE id = $1', [s.id]);
      evidence.subject = u
        ? { type: 'user', id: u.id, handle: u.handle, displayName: u.display_name, status: u.status, createdAt: iso(u.created_at) }
        : { type: 'user', id: s.id };
      // What the subject said where the reporter could read it (anywhere, for a system report).
      const rows = await q.query(
        `SELECT * FROM (
           SELECT ${MESSAGE_COLUMNS} FROM ${MESSAGE_FROM}
            WHERE m.sender_id = $1
              AND ($2::uuid IS NULL OR EXISTS (
                    SELECT 1 FROM conversation_member cm
                     WHERE cm.conversation_id = m.conversation_id AND cm.user_id = $2 AND cm.state IN ('active', 'pending')))
            ORDER BY m.created_at DESC LIMIT $3) t ORDER BY created_at`,
        [s.id, reporterId, RECENT_MESSAGES],
      );
      evidence.messages = rows.map((r) => toMessage(r, null));
      evidence.participants = u ? [{ userId: u.id, handle: u.handle, displayName: u.display_name, state: u.status, role: 'subject' }] : [];
    } else {
      const [qn] = await q.query(
        `SELECT qn.id, qn.room_id, qn.author_id, au.handle AS author_handle, qn.text, qn.links, qn.status, qn.state,
                qn.removed_reason, qn.upvotes, qn.created_at
           FROM question qn JOIN app_user au ON au.id = qn.author_id WHERE qn.id = $1`,
        [s.id],
      );
      if (qn) {
        roomId = roomId ?? qn.room_id;
        const links = await this.linkVerdicts(q, qn.links);
        evidence.subject = {
          type: 'question',
          id: qn.id,
          roomId: qn.room_id,
          authorId: qn.author_id,
          authorHandle: qn.author_handle,
          text: qn.text,
          links,
          status: qn.status,
          state: qn.state,
          upvotes: qn.upvotes,
          createdAt: iso(qn.created_at),
        };
        // Rendered like a message so the console shows the words and links the same way.
        evidence.messages = [
          {
            id: qn.id,
            conversationId: '',
            seq: null,
            senderId: qn.author_id,
            senderHandle: qn.author_handle,
            text: qn.text,
            links,
            state: qn.state,
            removedReason: qn.removed_reason,
            createdAt: iso(qn.created_at)!,
            reported: true,
          },
        ];
        evidence.participants = [
          { userId: qn.author_id, handle: qn.author_handle, displayName: qn.author_handle, state: 'author', role: 'author' },
        ];
      }
    }

    if (s.type !== 'question') await attachVersions(q, evidence.messages);

    if (roomId) {
      const [room] = await q.query('SELECT id, title, status, host_id, created_at FROM room WHERE id = $1', [roomId]);
      if (room)
        evidence.room = { id: room.id, title: room.title, status: room.status, hostId: room.host_id, createdAt: iso(room.created_at)! };
    }
    return evidence;
  }

  private async conversation(q: Queryable, conversationId: string, reporterState: string | null) {
    const [c] = await q.query('SELECT id, kind, title, creator_id, room_id, context, created_at FROM conversation WHERE id = $1', [
      conversationId,
    ]);
    const members = await q.query(
      `SELECT cm.user_id, u.handle, u.display_name, cm.state, cm.role
         FROM conversation_member cm JOIN app_user u ON u.id = cm.user_id
        WHERE cm.conversation_id = $1 ORDER BY cm.joined_at, cm.user_id`,
      [conversationId],
    );
    const participants = members.map((m) => ({
      userId: m.user_id,
      handle: m.handle,
      displayName: m.display_name,
      state: m.state,
      role: m.role,
    }));
    const contextRoom = c?.context && typeof c.context === 'object' && typeof c.context.roomId === 'string' ? c.context.roomId : null;
    return {
      conversation: c
        ? {
            id: c.id,
            kind: c.kind,
            title: c.title,
            creatorId: c.creator_id,
            context: c.context ?? null,
            createdAt: iso(c.created_at)!,
            wasRequest: reporterState === 'pending' || members.some((m) => m.state === 'pending'),
            reporterState,
          }
        : null,
      participants,
      roomId: (c?.room_id as string | null) ?? contextRoom,
    };
  }

  private async linkVerdicts(q: Queryable, links: unknown): Promise<EvidenceMessage['links']> {
    const rows = await q.query(
      `SELECT x.url, coalesce(nullif(lk.verdict, 'pending'), x.verdict, lk.verdict, 'pending') AS verdict, coalesce(lk.reason, x.reason) AS reason
         FROM (SELECT e.ord, CASE WHEN jsonb_typeof(e.l) = 'string' THEN e.l #>> '{}' ELSE e.l ->> 'url' END AS url,
                      e.l ->> 'verdict' AS verdict, e.l ->> 'reason' AS reason
                 FROM jsonb_array_elements(CASE WHEN jsonb_typeof($1::jsonb) = 'array' THEN $1::jsonb ELSE '[]'::jsonb END)
                      WITH ORDINALITY AS e(l, ord)) x
         LEFT JOIN link lk ON lk.url = x.url ORDER BY x.ord`,
      [JSON.stringify(links ?? [])],
    );
    return rows.map((r) => ({ url: r.url, verdict: r.verdict, reason: r.reason }));
  }
}
