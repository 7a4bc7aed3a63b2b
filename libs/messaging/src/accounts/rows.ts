/** The accounts domain's rows as accounts.repository.ts hands them to services: typed and camelCased. */

export type AllowIncoming = 'all' | 'following' | 'none';
/** Who may add me to a group (v1.2). */
export type AllowGroupInvites = 'all' | 'following' | 'none';
export type UserStatus = 'active' | 'suspended' | 'banned';

/** Timestamps as the driver gives them (a Date, or a string for some column types). */
export type Timestamp = Date | string;

/** What anyone may see of a user. */
export interface PublicUserRow {
  id: string;
  /** null once the account is deleted. */
  handle: string | null;
  displayName: string;
  createdAt: Timestamp;
}

/** An app_user row, as sign-in, refresh and settings read it. */
export interface UserRow extends PublicUserRow {
  passwordHash: string | null;
  allowIncoming: AllowIncoming;
  allowGroupInvites: AllowGroupInvites;
  status: UserStatus;
  suspendedUntil: Timestamp | null;
  restrictedUntil: Timestamp | null;
  externalId: string | null;
  /** When the account was deleted (API.md v1.2), else null. */
  deletedAt: Timestamp | null;
}

export interface HiddenWordsRow {
  words: string[];
  useDefaultList: boolean;
}

export interface UserStandingRow {
  status: UserStatus;
  suspendedUntil: Timestamp | null;
}

/** An account of the host app (no password), as the platform API shows it. */
export interface ExternalUserRow {
  id: string;
  externalId: string;
  handle: string;
  displayName: string;
}

/** The outcome of claiming a refresh token (rotation with reuse detection). */
export interface RefreshClaim {
  familyId: string;
  userId: string;
}

export interface RefreshTokenState {
  familyId: string;
  userId: string;
  usedAt: Timestamp | null;
  revokedAt: Timestamp | null;
}

export interface RevokedFamilyRow {
  familyId: string;
  revokedAt: Timestamp;
}

/** A process-wide setting every API process must share (table app_setting, e.g. the generated JWT secret). */
export interface AppSettingRow {
  key: string;
  value: string;
}
