import type { Queryable } from '../db/db.service';
import { leftSeqSql } from '../policy/visibility';

export interface BackchannelChange {
  added: string[];
  removed: string[];
  /** The room's current moderators (present, role moderator) after the change. */
  moderators: string[];
}

/**
 * The backchannel's active members are, by definition, the room's current moderators:
 * room members with role `moderator` who are present. Rather than patching one row per
 * role change (and trusting every caller to get it right), `reconcile` derives the
 * membership from `room_member` in one statement, so any transaction that changed roles or
 * presence leaves the two in agreement. Callers hold the room row `FOR UPDATE`, which
 * serialises every reconcile of a room: two of them can never work from different views
 * of who the moderators are.
 */
const RECONCILE_SQL = `
WITH want AS (
  SELECT user_id FROM room_member WHERE room_id = $2 AND role = 'moderator' AND present),
added AS (
  INSERT INTO conversation_member (conversation_id, user_id, state, role)
  SELECT $1, user_id, 'active', 'moderator' FROM want
  ON CONFLICT (conversation_id, user_id) DO UPDATE SET state = 'active', role = 'moderator', updated_at = now()
   WHERE conversation_member.state <> 'active' OR conversation_member.role <> 'moderator'
  RETURNING user_id),
removed AS (
  UPDATE conversation_member cm SET state = 'left', left_seq = ${leftSeqSql('cm', 'c')}, updated_at = now()
    FROM conversation c
   WHERE c.id = cm.conversation_id AND cm.conversation_id = $1 AND cm.state <> 'left' AND cm.user_id NOT IN (SELECT user_id FROM want)
  RETURNING cm.user_id)
SELECT (SELECT coalesce(array_agg(user_id::text), '{}') FROM added) AS added,
       (SELECT coalesce(array_agg(user_id::text), '{}') FROM removed) AS removed,
       (SELECT coalesce(array_agg(user_id::text), '{}') FROM want) AS moderators`;

export const BackchannelMembership = {
  async reconcile(q: Queryable, backchannelId: string, roomId: string): Promise<BackchannelChange> {
    const [row] = await q.query<BackchannelChange>(RECONCILE_SQL, [backchannelId, roomId]);
    return { added: row.added, removed: row.removed, moderators: row.moderators };
  },

  /**
   * Who hears of a membership change (`conversation.updated`): everyone added or removed and
   * the other current moderators. Nobody when nothing changed.
   */
  recipients(change: BackchannelChange): string[] {
    if (change.added.length === 0 && change.removed.length === 0) return [];
    return [...new Set([...change.added, ...change.removed, ...change.moderators])].sort();
  },
};
