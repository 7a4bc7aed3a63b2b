import type { Queryable } from '../db/db.service';
import { REPLY_QUOTE_SQL, forViewer, messageView, type MessageView } from '../views/message-view';
import { hearsPresenceSql, memberSeesMessageSql } from '../policy/visibility';
import { conversationLockedSql } from '../policy/write-policy';

export interface ConversationMemberView {
  userId: string;
  handle: string;
  displayName: string;
  state: 'active' | 'pending' | 'declined' | 'left' | 'held';
  role: string;
  /** Read marker of active members only (a pending recipient reveals nothing until they accept), to viewers who hear of it (policy/visibility.ts hearsPresenceSql). */
  readSeq?: number;
}

export interface ConversationView {
  id: string;
  kind: 'direct' | 'group' | 'room';
  title: string | null;
  creatorId: string | null;
  members: ConversationMemberView[];
  myState: 'active' | 'pending' | 'declined' | 'left' | 'held';
  lastMessage: MessageView | null;
  unreadCount: number;
  readSeq: number;
  lastSeq: number;
  context: Record<string, unknown> | null;
  /** Staff locked it (API.md v1.2): nobody may send, edit, react or add members until unlocked. */
  locked: boolean;
  /**
   * A pending request only: it is in my hidden folder (hidden words, Limits, the pile-on
   * breaker, a staff rule), not in requests. Decided by ConversationsService.hiddenRequests;
   * absent on views that are not a pending request.
   */
  hidden?: boolean;
  createdAt: string;
  lastActivityAt: string;
}

/**
 * Whether a member in this state may open the conversation (GET /v1/conversations/:id and
 * what it shows of the members); a member who left or declined is answered 404.
 */
export const opensConversation = (state: ConversationView['myState']): boolean => state === 'active' || state === 'pending';

/**
 * The contract's Conversation JSON for one viewer, for many conversations in one
 * statement. Another member's `declined` is shown as `pending`: the sender is never told; so is
 * a request `held` for review (the sender sees it as sent).
 * lastMessage and unreadCount count only what the viewer may read (policy/visibility.ts).
 */
const VIEW_SQL = `
SELECT c.id, c.kind, c.title, c.creator_id, c.context, c.created_at, c.last_activity_at, c.last_seq,
       ${conversationLockedSql('c')} AS locked, me.state AS my_state, me.read_seq,
       (SELECT json_agg(json_build_object(
                 'userId', m.user_id, 'handle', u.handle, 'displayName', u.display_name,
                 'state', CASE WHEN m.state IN ('declined', 'held') AND m.user_id <> $2 THEN 'pending' ELSE m.state END,
                 'role', m.role,
                 'readSeq', CASE WHEN m.state = 'active' AND ${hearsPresenceSql('me', 'm.user_id')}
                                 THEN m.read_seq END) ORDER BY m.joined_at, m.user_id)
          FROM conversation_member m JOIN app_user u ON u.id = m.user_id
         WHERE m.conversation_id = c.id) AS members,
       (SELECT row_to_json(lm) FROM (
          SELECT x.*, ${REPLY_QUOTE_SQL('x')} FROM message x WHERE x.conversation_id = c.id AND ${memberSeesMessageSql('me', 'x')} ORDER BY x.seq DESC LIMIT 1) lm) AS last_message,
       (SELECT count(*) FROM message x
         WHERE x.conversation_id = c.id AND x.seq > me.read_seq AND x.sender_id <> $2 AND x.state = 'visible'
           AND ${memberSeesMessageSql('me', 'x')})::int AS unread
  FROM conversation c
  JOIN conversation_member me ON me.conversation_id = c.id AND me.user_id = $2
 WHERE c.id = ANY($1::uuid[])`;

/** A member as VIEW_SQL's json_build_object spells it. */
interface MemberJson {
  userId: string;
  handle: string;
  displayName: string;
  state: ConversationMemberView['state'];
  role: string;
  readSeq: number | string | null;
}

/** A row of VIEW_SQL (snake_case; bigints as text, json columns parsed). */
export interface ConversationViewRecord {
  id: string;
  kind: ConversationView['kind'];
  title: string | null;
  creator_id: string | null;
  context: Record<string, unknown> | null;
  locked: boolean;
  created_at: Date | string;
  last_activity_at: Date | string;
  last_seq: string;
  my_state: ConversationView['myState'];
  read_seq: string;
  members: MemberJson[] | null;
  /** A message row (row_to_json, with reply_quote), as messageView reads it. */
  last_message: Record<string, unknown> | null;
  unread: number;
}

export function toConversationView(r: ConversationViewRecord, viewerId: string): ConversationView {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    creatorId: r.creator_id,
    members: (r.members ?? []).map((m) => {
      const v: ConversationMemberView = { userId: m.userId, handle: m.handle, displayName: m.displayName, state: m.state, role: m.role };
      if (m.readSeq !== null && m.readSeq !== undefined) v.readSeq = Number(m.readSeq);
      return v;
    }),
    myState: r.my_state,
    lastMessage: r.last_message ? forViewer(messageView(r.last_message), viewerId) : null,
    unreadCount: r.unread,
    readSeq: Number(r.read_seq),
    lastSeq: Number(r.last_seq),
    context: r.context ?? null,
    locked: Boolean(r.locked),
    createdAt: new Date(r.created_at).toISOString(),
    lastActivityAt: new Date(r.last_activity_at).toISOString(),
  };
}

/** Views of `ids` for `viewerId` (any membership state; callers decide visibility). */
export async function loadConversationViews(q: Queryable, ids: string[], viewerId: string): Promise<Map<string, ConversationView>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<ConversationViewRecord>(VIEW_SQL, [ids, viewerId]);
  return new Map(rows.map((r) => [r.id, toConversationView(r, viewerId)]));
}
