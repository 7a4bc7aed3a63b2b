import { ApiProperty } from '@nestjs/swagger';
import { EXTERNAL_ID_PATTERN } from '@app/messaging/accounts/external-accounts.service';

/** Response shapes of /platform/v1 (API.md, "Platform API"). */

export class ExternalUser {
  @ApiProperty({ type: String, format: 'uuid', description: 'The Backchannel user id' }) id!: string;
  @ApiProperty({ type: String, pattern: EXTERNAL_ID_PATTERN, example: 'host-user-42' }) externalId!: string;
  @ApiProperty({ type: String, example: 'alice_01' }) handle!: string;
  @ApiProperty({ type: String, example: 'Alice' }) displayName!: string;
}

export class ExternalTokens {
  @ApiProperty({ type: String, description: 'Bearer token for /v1 and the socket, as sign-in gives' }) accessToken!: string;
  @ApiProperty({ type: String, description: 'Single use: POST /v1/auth/refresh returns a new pair; POST /v1/auth/logout ends the sign-in' })
  refreshToken!: string;
}

export class ExternalRoom {
  @ApiProperty({ type: String, format: 'uuid', description: 'The Backchannel room id: /v1/rooms/:id/... work on it' }) id!: string;
}
