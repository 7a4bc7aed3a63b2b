import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

/** Request bodies of the DSA routes (API.md v1.2: trusted flaggers, reporting suspensions). */

const ONE_LINE = /^[^\u0000-\u001f\u007f\p{Cs}]*$/u;
/** Line breaks and tabs allowed, other control characters not. */
const MULTI_LINE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\p{Cs}]*$/u;

export class TrustedFlaggerDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 200, example: 'Safer Internet Centre', description: 'The designated entity' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(ONE_LINE, { message: 'name must be one line without control characters' })
  name!: string;
}

export class ReportingSuspensionDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 365, example: 30, description: 'How long they may not file reports' })
  @IsInt()
  @Min(1)
  @Max(365)
  days!: number;

  @ApiProperty({ type: String, maxLength: 2000, example: 'Dozens of reports about one person, all dismissed, after a warning' })
  @IsString()
  @MaxLength(2000)
  @Matches(MULTI_LINE, { message: 'note must not contain control characters' })
  note!: string;

  @ApiPropertyOptional({ type: String, maxLength: 40, example: 'unfounded_reports', description: 'Default: unfounded_reports' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  policy?: string;

  @ApiPropertyOptional({
    type: String,
    maxLength: 40,
    example: 'high',
    description: "A severity of that policy; default: the policy's first",
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  severity?: string;
}
