/** The conversations domain's rows as conversations.repository.ts hands them to services: typed and camelCased. */

export type ConversationKind = 'direct' | 'group' | 'room';
/** `held` (v1.2): a request the fan-out check holds for staff review; its recipient sees nothing of it yet. */
export type MemberState = 'active' | 'pending' | 'declined' | 'left' | 'held';
export type MemberRole = 'owner' | 'member';

/** Timestamps as the driver gives them (a Date, or a string for some column types). */
export type Timestamp = Date | string;

/** What the write policy reads of an account before it starts a conversation or adds members. */
export interface MessagingStandingRow {
  /** restrictedSql('u'), by the database's clock. */
  restricted: boolean;
  restrictedUntil: Timestamp | null;
  /** dmAccessRevokedSql('u'): staff switched off starting conversations. */
  dmAccessRevoked: boolean;
  requestLimitFactor: number | null;
}

export interface NewConversation {
  id: string;
  kind: 'direct' | 'group';
  title: string | null;
  creatorId: string;
  directKey: string | null;
  roomId: string | null;
  /** The room context as JSON text, or null. */
  context: string | null;
}

export interface NewMember {
  userId: string;
  state: MemberState;
  role: MemberRole;
}

/** A conversation of a folder page, in keyset order. */
export interface FolderRow {
  id: string;
  lastActivityAt: Timestamp;
}

/** A message of a pending request that its recipient may read. */
export interface RequestTextRow {
  conversationId: string;
  text: string;
}

/** A membership row locked FOR UPDATE, with its conversation's kind and creator. */
export interface LockedMemberRow {
  state: MemberState;
  /** A bigint, as the driver gives it (text). */
  readSeq: string;
  kind: ConversationKind;
  creatorId: string | null;
}

export interface MemberStateRow {
  userId: string;
  state: MemberState;
}
