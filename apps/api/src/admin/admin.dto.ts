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
  ValidateIf,
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
import type { StaffRole } from '@app/messaging/accounts/staff-roles';

/** No control characters, and no lone surrogates: they cannot be stored in the jsonb of the audit log and resolutions. */
const NO_CONTROL = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\p{Cs}]*$/u;
const STAFF_ROLES = ['admin', 'moderator', 'triage'] as const;
/**
 * The same rule as ADMIN_EMAIL (so the seeded admin can be edited), minus control characters
 * and lone surrogates; validator's isEmail throws on a lone surrogate (a 500), so not that.
 */
const EMAIL = /^[^@\s\p{Cc}\p{Cs}]+@[^@\s\p{Cc}\p{Cs}]+$/u;

export class StaffLoginDto {
  // PostgreSQL text cannot hold NUL: refused here (400), not a 500 from the lookup.
  @ApiProperty({ type: String, maxLength: 320, example: 'admin@example.com' })
  @IsString()
  @MinLength(1)
  @MaxLength(320)
  @Matches(/^[^\u0000]*$/, { message: 'email must not contain NUL characters' })
  email!: string;
  @ApiProperty({ type: String, maxLength: 256, example: 'admin-password-1' }) @IsString() @MinLength(1) @MaxLength(256) password!: string;
}

export class NoteDto {
  @ApiPropertyOptional({ type: String, maxLength: 2000, example: 'Repeated spam after a warning' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'note must not contain control characters' })
  note?: string;
}

/** A held message's rejection: a note, and the policy and severity (default: the holding rule's, else `other`). */
export class HeldRejectDto extends NoteDto {
  @ApiPropertyOptional({
    type: String,
    maxLength: 40,
    description: "The policy's key; left out: the holding rule's policy (none: `other`). Unknown: 400 invalid_request",
    example: 'harassment',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  policy?: string;

  @ApiPropertyOptional({
    type: String,
    maxLength: 40,
    description: "A severity key of that policy; left out: the policy's first. Unknown: 400 invalid_request",
    example: 'low',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  severity?: string;
}

/** GET /admin/v1/users/:id/standing: the decision about to be taken, for its suggestion. */
export class StandingQueryDto {
  @ApiPropertyOptional({
    type: String,
    maxLength: 40,
    description: 'The policy about to be chosen: the suggestion then takes its severity into account. Unknown: 400 invalid_request',
    example: 'harassment',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  policy?: string;

  @ApiPropertyOptional({
    type: String,
    maxLength: 40,
    description: "A severity key of that policy; left out: the policy's first. Unknown: 400 invalid_request",
    example: 'low',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  severity?: string;
}

export class ResolveDto {
  @ApiProperty({ enum: RESOLVE_ACTIONS, example: 'warn' }) @IsIn(RESOLVE_ACTIONS) action!: ResolveAction;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description:
      'A notice template wording the notice to the actioned person; every variable it uses must be filled (422 template_variable_missing)',
    example: '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c92',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  templateId?: string;

  @ApiPropertyOptional({
    type: String,
    maxLength: 40,
    description: "The policy's key; left out: the report's reason's policy (no report: `other`). Unknown: 400 invalid_request",
    example: 'harassment',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  policy?: string;

  @ApiPropertyOptional({
    type: String,
    maxLength: 40,
    description: "A severity key of that policy; left out: the policy's first. Unknown: 400 invalid_request",
    example: 'low',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  severity?: string;

  @ApiPropertyOptional({
    type: Number,
    exclusiveMinimum: true,
    minimum: 0,
    maximum: MAX_DURATION_HOURS,
    description: 'restrict_messaging and suspend: hours (fractions allowed); default 24 and 72',
    example: 24,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_DURATION_HOURS)
  durationHours?: number;

  @ApiPropertyOptional({ type: String, maxLength: 2000, example: 'Repeated spam after a warning' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'note must not contain control characters' })
  note?: string;

  @ApiPropertyOptional({
    type: String,
    minLength: 1,
    maxLength: 2000,
    description:
      "The statement of reasons' facts as the moderator words them, with the notice templates' {{variables}} (e.g. {{reason}}); left out: the template's facts, else the standard wording. An unknown variable: 422 template_variable_unknown; one the decision leaves empty: 422 template_variable_missing",
    example: 'A moderator reviewed the messages you sent and found {{reason}}.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'facts must not contain control characters' })
  facts?: string;
}

export class BulkResolveDto extends ResolveDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    minItems: 1,
    maxItems: 100,
    example: ['0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c91'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  ids!: string[];
}

export class UserActionDto {
  @ApiProperty({ enum: USER_ACTIONS, example: 'warn' }) @IsIn(USER_ACTIONS) action!: UserAction;

  @ApiPropertyOptional({
    type: String,
    maxLength: 40,
    description: "The policy's key; left out: the report's reason's policy (no report: `other`). Unknown: 400 invalid_request",
    example: 'harassment',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  policy?: string;

  @ApiPropertyOptional({
    type: String,
    maxLength: 40,
    description: "A severity key of that policy; left out: the policy's first. Unknown: 400 invalid_request",
    example: 'low',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  severity?: string;

  @ApiPropertyOptional({
    type: Number,
    exclusiveMinimum: true,
    minimum: 0,
    maximum: MAX_DURATION_HOURS,
    description: 'restrict_messaging and suspend: hours (fractions allowed); default 24 and 72',
    example: 24,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_DURATION_HOURS)
  durationHours?: number;

  @ApiPropertyOptional({ type: String, maxLength: 2000, example: 'Repeated spam after a warning' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'note must not contain control characters' })
  note?: string;
}

/** PUT (note required: why the account is held) and DELETE (note optional) /admin/v1/users/:id/legal-hold. */
export class LegalHoldDto {
  @ApiPropertyOptional({ type: String, maxLength: 2000, example: 'Preservation request from the police, ref. 2026/118' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'note must not contain control characters' })
  note?: string;
}

export class AppealDecisionDto {
  @ApiProperty({ enum: APPEAL_DECISIONS, example: 'upheld' }) @IsIn(APPEAL_DECISIONS) decision!: AppealDecision;

  @ApiPropertyOptional({ type: String, maxLength: 2000, example: 'Repeated spam after a warning' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'note must not contain control characters' })
  note?: string;
}

export class LiftActionDto {
  @ApiPropertyOptional({
    type: String,
    maxLength: 2000,
    example: 'Appeal upheld by phone; lifting early',
    description: 'Why it is lifted (internal; the person is not shown it)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'note must not contain control characters' })
  note?: string;
}

export class LinkLabelDto {
  @ApiProperty({ enum: LINK_LABELS, example: 'safe' }) @IsIn(LINK_LABELS) verdict!: (typeof LINK_LABELS)[number];

  @ApiPropertyOptional({ type: String, maxLength: 200, example: 'Checked by hand' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(NO_CONTROL, { message: 'reason must not contain control characters' })
  reason?: string;
}

export class BlocklistCreateDto {
  @ApiProperty({
    type: String,
    minLength: 1,
    maxLength: 2048,
    description: 'domain: a host (matches it and every subdomain); url: one URL',
    example: 'bad.example',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  pattern!: string;

  @ApiProperty({ enum: BLOCKLIST_KINDS, example: 'domain' }) @IsIn(BLOCKLIST_KINDS) kind!: BlocklistKind;

  @ApiPropertyOptional({ type: String, maxLength: 500, example: 'Phishing kit host' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(NO_CONTROL, { message: 'reason must not contain control characters' })
  reason?: string;
}

export class StaffCreateDto {
  @ApiProperty({ type: String, maxLength: 320, example: 'moderator@example.com' })
  @IsString()
  @MaxLength(320)
  @Matches(EMAIL, { message: 'email must be an email address' })
  email!: string;

  @ApiProperty({ type: String, minLength: 1, maxLength: 60, example: 'Mo Derator' })
  @IsString()
  @MinLength(1)
  @MaxLength(60)
  @Matches(NO_CONTROL, { message: 'displayName must not contain control characters' })
  displayName!: string;

  @ApiProperty({ type: String, minLength: 10, maxLength: 256, example: 'a long staff password' })
  @IsString()
  @MinLength(10)
  @MaxLength(256)
  password!: string;

  @ApiProperty({ enum: STAFF_ROLES, example: 'moderator' }) @IsIn(STAFF_ROLES) role!: StaffRole;
}

export class StaffUpdateDto {
  @ApiPropertyOptional({ type: String, maxLength: 320, example: 'moderator@example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  @Matches(EMAIL, { message: 'email must be an email address' })
  email?: string;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 60, example: 'Mo Derator' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(60)
  @Matches(NO_CONTROL, { message: 'displayName must not contain control characters' })
  displayName?: string;

  @ApiPropertyOptional({ type: String, minLength: 10, maxLength: 256, example: 'a long staff password' })
  @IsOptional()
  @IsString()
  @MinLength(10)
  @MaxLength(256)
  password?: string;

  @ApiPropertyOptional({ enum: STAFF_ROLES, example: 'moderator' }) @IsOptional() @IsIn(STAFF_ROLES) role?: StaffRole;

  @ApiPropertyOptional({ type: Boolean, example: false }) @IsOptional() @IsBoolean() disabled?: boolean;
}

export class CaseAssignDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'A moderator or admin; null puts the case back in the queue',
    example: '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c91',
  })
  @ValidateIf((o) => o.assigneeId !== null)
  @IsString()
  @MaxLength(64)
  assigneeId!: string | null;
}

export class CaseMessageDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    description: "The case's subject or one of its reporters",
    example: '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c91',
  })
  @IsString()
  @MaxLength(64)
  recipientId!: string;

  @ApiProperty({ type: String, minLength: 1, maxLength: 2000, example: 'Can you tell us more about what happened in the room?' })
  @IsString()
  @MaxLength(2000)
  @Matches(/\S/, { message: 'text must not be empty' })
  @Matches(NO_CONTROL, { message: 'text must not contain control characters' })
  text!: string;
}

export class TemplateCreateDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 100, example: 'Spam suspension' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(NO_CONTROL, { message: 'name must not contain control characters' })
  name!: string;

  @ApiProperty({
    type: String,
    minLength: 1,
    maxLength: 4000,
    example: 'Hi {{handle}}, your account got {{action}} for {{reason}} until {{endsAt}}.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  @Matches(NO_CONTROL, { message: 'body must not contain control characters' })
  body!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: 2000,
    description: "The statement of reasons' facts this template words, with the same {{variables}}; null or left out: the standard wording",
    example: 'A moderator reviewed reports about messages you sent and found {{reason}}.',
  })
  @ValidateIf((o) => o.facts !== undefined && o.facts !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'facts must not contain control characters' })
  facts?: string | null;
}

export class TemplateUpdateDto {
  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 100, example: 'Spam suspension' })
  @ValidateIf((o) => o.name !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(NO_CONTROL, { message: 'name must not contain control characters' })
  name?: string;

  @ApiPropertyOptional({
    type: String,
    minLength: 1,
    maxLength: 4000,
    example: 'Hi {{handle}}, your account got {{action}} for {{reason}}.',
  })
  @ValidateIf((o) => o.body !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  @Matches(NO_CONTROL, { message: 'body must not contain control characters' })
  body?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: 2000,
    description: "The statement of reasons' facts this template words, with the same {{variables}}; null or left out: the standard wording",
    example: 'A moderator reviewed reports about messages you sent and found {{reason}}.',
  })
  @ValidateIf((o) => o.facts !== undefined && o.facts !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'facts must not contain control characters' })
  facts?: string | null;
}

export class ReporterStandingDto {
  @ApiPropertyOptional({ type: Boolean, description: 'Admins only: their reports go first', example: true })
  @ValidateIf((o) => o.trustedFlagger !== undefined)
  @IsBoolean()
  trustedFlagger?: boolean;
  @ApiPropertyOptional({ type: Boolean, description: 'Their reports weigh nothing in the queue', example: false })
  @ValidateIf((o) => o.muted !== undefined)
  @IsBoolean()
  muted?: boolean;
}

/** `{note}` of the moderators' DM switches (dm-access, conversation lock): kept in the audit log only. */
export class DmControlNoteDto {
  @ApiPropertyOptional({
    type: String,
    maxLength: 2000,
    example: 'Spam wave from this account; DMs off while we review',
    description: 'Why (internal: recorded in the audit log, not shown to the person)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_CONTROL, { message: 'note must not contain control characters' })
  note?: string;
}

/** `{note, expectLocked?}` of a conversation lock or unlock. */
export class ConversationLockDto extends DmControlNoteDto {
  @ApiPropertyOptional({
    type: Boolean,
    example: false,
    description:
      'The lock state the caller last read (the console sends it). When the conversation is no longer in that state (someone else locked or unlocked it since), the call changes nothing and answers 409 lock_state_changed. Left out: idempotent.',
  })
  @IsOptional()
  @IsBoolean()
  expectLocked?: boolean;
}
