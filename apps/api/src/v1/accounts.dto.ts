import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class RegisterDto {
  @ApiProperty({ pattern: '^[a-z0-9_]{3,30}$' })
  @IsString()
  @Matches(/^[a-z0-9_]{3,30}$/, { message: 'handle must be 3-30 of a-z, 0-9 and _' })
  handle!: string;

  @ApiProperty({ maxLength: 60 })
  @IsString()
  @MinLength(1)
  @MaxLength(60)
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'displayName must not contain control characters' })
  displayName!: string;

  @ApiProperty({ minLength: 10, maxLength: 256 })
  @IsString()
  @MinLength(10)
  @MaxLength(256)
  password!: string;
}

export class LoginDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  // PostgreSQL text cannot hold NUL: refused here (400), not a 500 from the lookup.
  @Matches(/^[^\u0000]*$/, { message: 'handle must not contain NUL characters' })
  handle!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken!: string;
}

export class LogoutDto extends RefreshDto {}

export class SettingsDto {
  @ApiPropertyOptional({ enum: ['all', 'following', 'none'] })
  @IsOptional()
  @IsIn(['all', 'following', 'none'])
  allowIncoming?: 'all' | 'following' | 'none';
}
