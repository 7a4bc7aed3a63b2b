import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class RegisterDto {
  @ApiProperty({ type: String, pattern: '^[a-z0-9_]{3,30}$', example: 'alice_01' })
  @IsString()
  @Matches(/^[a-z0-9_]{3,30}$/, { message: 'handle must be 3-30 of a-z, 0-9 and _' })
  handle!: string;

  @ApiProperty({ type: String, minLength: 1, maxLength: 60, example: 'Alice' })
  @IsString()
  @MinLength(1)
  @MaxLength(60)
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'displayName must not contain control characters' })
  displayName!: string;

  @ApiProperty({ type: String, minLength: 10, maxLength: 256, example: 'correct horse battery' })
  @IsString()
  @MinLength(10)
  @MaxLength(256)
  password!: string;
}

export class LoginDto {
  @ApiProperty({ type: String, maxLength: 64, example: 'alice_01' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  // PostgreSQL text cannot hold NUL: refused here (400), not a 500 from the lookup.
  @Matches(/^[^\u0000]*$/, { message: 'handle must not contain NUL characters' })
  handle!: string;

  @ApiProperty({ type: String, maxLength: 256, example: 'correct horse battery' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}

export class RefreshDto {
  @ApiProperty({
    type: String,
    maxLength: 512,
    description: 'The refreshToken of the last sign-in or refresh',
    example: 'q9X2vJ0cY7mE4tR1sL8nB6wK3hF5pA0dZ2uG7iC1oVe',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken!: string;
}

export class LogoutDto extends RefreshDto {}

/** DELETE /v1/me: the password confirms it; an account without one (a host account) sends no body. */
export class DeleteAccountDto {
  @ApiPropertyOptional({
    type: String,
    maxLength: 256,
    example: 'correct horse battery',
    description: 'Required when the account has a password',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password?: string;
}

export class SettingsDto {
  @ApiPropertyOptional({ enum: ['all', 'following', 'none'], example: 'following' })
  @IsOptional()
  @IsIn(['all', 'following', 'none'])
  allowIncoming?: 'all' | 'following' | 'none';

  @ApiPropertyOptional({
    enum: ['all', 'following', 'none'],
    example: 'following',
    description: 'Who may add me to a group (v1.2): everyone, only people I follow, or nobody',
  })
  @IsOptional()
  @IsIn(['all', 'following', 'none'])
  allowGroupInvites?: 'all' | 'following' | 'none';
}

/** Validated by AccountsService.setHiddenWords (per-word details); both fields are required. */
export class HiddenWordsDto {
  @ApiProperty({
    type: [String],
    maxItems: 200,
    example: ['idiot', 'go away'],
    description: 'At most 200 words of 1-50 characters; replaces the list',
  })
  @Allow()
  words!: unknown;

  @ApiProperty({ type: Boolean, example: true, description: 'Whether the built-in default list also applies' })
  @Allow()
  useDefaultList!: unknown;
}

/** Validated by RequestProtectionService.setLimits (per-field details). */
export class LimitsDto {
  @ApiProperty({
    enum: ['non_followers', 'recent_followers'],
    example: 'non_followers',
    description: 'non_followers: people who do not follow me; recent_followers: also people who started following me less than 7 days ago',
  })
  @Allow()
  from!: unknown;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When Limits end: in the future, at most 28 days ahead',
    example: '2026-12-24T18:00:00Z',
  })
  @Allow()
  until!: unknown;
}
