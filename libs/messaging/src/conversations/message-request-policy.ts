import { Blocked, RecipientNotAccepting } from '../errors';

export interface RecipientFacts {
  userId: string;
  allowIncoming: 'all' | 'following' | 'none';
  /** The recipient follows the creator: the creator is "known" to them. */
  followsCreator: boolean;
  /** A block exists in either direction between creator and recipient. */
  blocked: boolean;
  /** The recipient restricts the creator (v1.1): the conversation starts as a request anyway. */
  restrictsCreator?: boolean;
}

export const MAX_MEMBERS = 15;
/** The request cap lives with the write and read policies (policy/request-cap.ts). */
export { MAX_REQUEST_MESSAGES } from '../policy/request-cap';

/**
 * The message-request rules of API.md in one place:
 * - blocked either way → 403 blocked;
 * - allowIncoming none → nobody may start a conversation with them; following → only
 *   people they follow (403 recipient_not_accepting);
 * - the recipient starts `pending` unless they know (follow) the creator and do not restrict them.
 */
export const MessageRequestPolicy = {
  initialState(r: RecipientFacts): 'active' | 'pending' {
    if (r.blocked) throw new Blocked();
    if (r.allowIncoming === 'none') throw new RecipientNotAccepting();
    if (r.allowIncoming === 'following' && !r.followsCreator) throw new RecipientNotAccepting();
    return r.followsCreator && !r.restrictsCreator ? 'active' : 'pending';
  },
};
