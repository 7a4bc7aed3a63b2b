import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  MaxLength,
  MinLength,
} from 'class-validator';
import {
  APPEAL_DECISIONS,
  BLOCKLIST_KINDS,
  LINK_LABELS,
  MAX_DURATION_HOURS,
  RESOLVE_ACTIONS,
  USER_ACTIONS,
  type AppealDecision,
  type BlocklistKind,
  type ResolveAction,
  type UserAction,
} from '@app/messaging/safety/vocabulary';
import type { StaffRole } from '@app/messaging/accounts/staff.entity';

/** No control characters, and no lone surrogates: they cannot be stored in the jsonb of the audit log and resolutions. */
const NO_CONTROL = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\p{Cs}]*$/u;
const STAFF_ROLES = ['admin', 'moderator', 'triage'] as const;
/**
 * The same rule as ADMIN_EMAIL (so the seeded admin can be edited), minus control characters
 * and lone surrogates; validator's isEmail throws on a lone surrogate (a 500), so not that.
 */
const EMAIL = /^[^@\s\p{Cc}\p{Cs}]+@[^@\s\p{Cc}\p{Cs}]+$/u;

export class StaffLoginDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(320) email!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(256) password!: string;
}

export class NoteDto {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'note must not contain control characters' })
  note?: string;
}

export class ResolveDto {
  @ApiProperty({ enum: RESOLVE_ACTIONS }) @IsIn(RESOLVE_ACTIONS) action!: ResolveAction;

  @ApiPropertyOptional({ description: 'restrict_messaging and suspend: hours (fractions allowed); default 24 and 72' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_DURATION_HOURS)
  durationHours?: number;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'note must not contain control characters' })
  note?: string;
}

export class BulkResolveDto extends ResolveDto {
  @ApiProperty({ type: [String], maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  ids!: string[];
}

export class UserActionDto {
  @ApiProperty({ enum: USER_ACTIONS }) @IsIn(USER_ACTIONS) action!: UserAction;

  @ApiPropertyOptional({ description: 'restrict_messaging and suspend: hours (fractions allowed); default 24 and 72' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_DURATION_HOURS)
  durationHours?: number;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'note must not contain control characters' })
  note?: string;
}

export class AppealDecisionDto {
  @ApiProperty({ enum: APPEAL_DECISIONS }) @IsIn(APPEAL_DECISIONS) decision!: AppealDecision;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'note must not contain control characters' })
  note?: string;
}

export class LiftActionDto {
  @ApiPropertyOptional({ maxLength: 2000, description: 'Why it is lifted (internal; the person is not shown it)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'note must not contain control characters' })
  note?: string;
}

export class LinkLabelDto {
  @ApiProperty({ enum: LINK_LABELS }) @IsIn(LINK_LABELS) verdict!: (typeof LINK_LABELS)[number];

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(NO_CONTROL, { message: 'reason must not contain control characters' })
  reason?: string;
}

export class BlocklistCreateDto {
  @ApiProperty({ description: 'domain: a host (matches it and every subdomain); url: one URL' })
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  pattern!: string;

  @ApiProperty({ enum: BLOCKLIST_KINDS }) @IsIn(BLOCKLIST_KINDS) kind!: BlocklistKind;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(NO_CONTROL, { message: 'reason must not contain control characters' })
  reason?: string;
}

export class StaffCreateDto {
  @ApiProperty() @IsString() @MaxLength(320) @Matches(EMAIL, { message: 'email must be an email address' }) email!: string;

  @ApiProperty({ maxLength: 60 })
  @IsString()
  @MinLength(1)
  @MaxLength(60)
  @Matches(NO_CONTROL, { message: 'displayName must not contain control characters' })
  displayName!: string;

  @ApiProperty({ minLength: 10 }) @IsString() @MinLength(10) @MaxLength(256) password!: string;

  @ApiProperty({ enum: STAFF_ROLES }) @IsIn(STAFF_ROLES) role!: StaffRole;
}

export class StaffUpdateDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(320) @Matches(EMAIL, { message: 'email must be an email address' }) email?: string;

  @ApiPropertyOptional({ maxLength: 60 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(60)
  @Matches(NO_CONTROL, { message: 'displayName must not contain control characters' })
  displayName?: string;

  @ApiPropertyOptional({ minLength: 10 }) @IsOptional() @IsString() @MinLength(10) @MaxLength(256) password?: string;

  @ApiPropertyOptional({ enum: STAFF_ROLES }) @IsOptional() @IsIn(STAFF_ROLES) role?: StaffRole;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() disabled?: boolean;
}
