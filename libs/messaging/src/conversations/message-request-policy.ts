import { Blocked, RecipientNotAccepting } from '../errors';

export type AllowGroupInvites = 'all' | 'following' | 'none';

export interface RecipientFacts {
  userId: string;
  allowIncoming: 'all' | 'following' | 'none';
  /** Who may add them to a group (v1.2): `following` = only people they follow. */
  allowGroupInvites?: AllowGroupInvites;
  /** The recipient follows the creator: the creator is "known" to them. */
  followsCreator: boolean;
  /** A block exists in either direction between creator and recipient. */
  blocked: boolean;
  /** The recipient restricts the creator (v1.1): the conversation starts as a request anyway. */
  restrictsCreator?: boolean;
  /** The recipient's Limits are on and hold the creator back (policy/limits.ts, limitsExcludeSql). */
  limitedOut?: boolean;
}

export const MAX_MEMBERS = 15;
/** The request cap lives with the write and read policies (policy/request-cap.ts). */
export { MAX_REQUEST_MESSAGES } from '../policy/request-cap';

/** How the creator reaches the recipient: a new direct conversation, or a group (created or added to). */
export interface Invitation {
  group: boolean;
}

/**
 * "Who may start a conversation with this person": the message-request rules of API.md in
 * one place, asked by every path that puts someone in a conversation (create and add-member,
 * REST, socket and host-issued tokens alike: ConversationsService.create / addMembers):
 * - blocked either way → 403 blocked;
 * - allowIncoming none → nobody may start a conversation with them; following → only
 *   people they follow (403 recipient_not_accepting);
 * - Limits on (v1.2) and the creator among the people held back → refused exactly as
 *   allowIncoming none refuses (same code, same words: the creator cannot tell which);
 * - a group (v1.2): allowGroupInvites none → nobody may add them; following → only people
 *   they follow (403 recipient_not_accepting);
 * - the recipient starts `pending` unless they know (follow) the creator and do not restrict them.
 */
export const MessageRequestPolicy = {
  initialState(r: RecipientFacts, invitation: Invitation = { group: false }): 'active' | 'pending' {
    if (r.blocked) throw new Blocked();
    if (r.allowIncoming === 'none') throw new RecipientNotAccepting();
    if (r.allowIncoming === 'following' && !r.followsCreator) throw new RecipientNotAccepting();
    if (r.limitedOut) throw new RecipientNotAccepting();
    if (invitation.group) {
      const invites = r.allowGroupInvites ?? 'all';
      if (invites === 'none' || (invites === 'following' && !r.followsCreator)) {
        throw new RecipientNotAccepting('This person does not accept being added to groups by you.');
      }
    }
    return r.followsCreator && !r.restrictsCreator ? 'active' : 'pending';
  },
};
