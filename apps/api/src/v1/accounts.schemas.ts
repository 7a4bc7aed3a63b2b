import { ApiProperty } from '@nestjs/swagger';

/** Response shapes of the account routes (API.md, "Accounts and the social graph"). */

export const EXAMPLE_USER_ID = '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c9d';

/** A public profile. */
export class User {
  @ApiProperty({ type: String, format: 'uuid', example: EXAMPLE_USER_ID }) id!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'alice_01',
    description: 'null for a deleted account (displayName "Deleted account")',
  })
  handle!: string | null;
  @ApiProperty({ type: String, example: 'Alice' }) displayName!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

/** The signed-in user: the profile, settings and standing. */
export class Me extends User {
  /** A signed-in account is never a deleted one, so it always has its handle. */
  @ApiProperty({ type: String, nullable: false, example: 'alice_01', description: 'My handle' }) declare handle: string;
  @ApiProperty({ enum: ['all', 'following', 'none'], description: 'Who may start a conversation with me' }) allowIncoming!:
    'all' | 'following' | 'none';
  @ApiProperty({ enum: ['all', 'following', 'none'], description: 'Who may add me to a group (v1.2)' }) allowGroupInvites!:
    'all' | 'following' | 'none';
  @ApiProperty({ enum: ['active', 'suspended', 'banned'] }) status!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Until when sending is refused (a restriction in force)' })
  restrictedUntil!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Until when the account is suspended; a ban has no end' })
  suspendedUntil!: string | null;
}

export class Session {
  @ApiProperty({ type: Me }) user!: Me;
  @ApiProperty({ type: String, description: 'Bearer token for /v1 and the socket (15 minutes by default)' }) accessToken!: string;
  @ApiProperty({ type: String, description: 'Single use: POST /v1/auth/refresh returns a new pair' }) refreshToken!: string;
}

export class UserPage {
  @ApiProperty({ type: [User] }) items!: User[];
  @ApiProperty({ type: String, nullable: true, description: 'Always null: a handle names at most one user' }) nextCursor!: string | null;
}

/** Someone I block or restrict, and since when. */
export class KeptAtDistance extends User {
  @ApiProperty({ type: String, format: 'date-time', description: 'When I blocked or restricted them' }) since!: string;
}

export class KeptAtDistancePage {
  @ApiProperty({ type: [KeptAtDistance] }) items!: KeptAtDistance[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class HiddenWords {
  @ApiProperty({
    type: [String],
    maxItems: 200,
    example: ['idiot', 'go away'],
    description: 'My own hidden words (1-50 characters each); matched by whole word, ignoring case, accents and look-alikes',
  })
  words!: string[];
  @ApiProperty({ type: Boolean, example: true, description: 'Whether the built-in default list also applies (true for new accounts)' })
  useDefaultList!: boolean;
}

/** My Limits (v1.2); both null when off. */
export class Limits {
  @ApiProperty({ enum: ['non_followers', 'recent_followers'], nullable: true, description: 'Whose new conversations are refused' })
  from!: 'non_followers' | 'recent_followers' | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When they end' }) until!: string | null;
}

/** The answer to DELETE /v1/me and DELETE /platform/v1/users/:externalId (202). */
export class AccountDeleted {
  @ApiProperty({ type: String, format: 'uuid', example: EXAMPLE_USER_ID }) id!: string;
  @ApiProperty({ enum: ['deleted'], description: 'The account is deleted; erasing what it wrote follows in the background' })
  status!: 'deleted';
}
