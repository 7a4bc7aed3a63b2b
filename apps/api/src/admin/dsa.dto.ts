import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** Request bodies of the DSA routes (API.md v1.2: trusted flaggers, reporting suspensions). */

const ONE_LINE = /^[^\u0000-\u001f\u007f\p{Cs}]*$/u;

export class TrustedFlaggerDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 200, example: 'Safer Internet Centre', description: 'The designated entity' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(ONE_LINE, { message: 'name must be one line without control characters' })
  name!: string;
}
