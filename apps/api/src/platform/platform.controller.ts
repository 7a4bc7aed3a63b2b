import { Body, Controller, Delete, HttpCode, Module, Param, Post, Put, Res, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AccountDeletionService } from '@app/messaging/erasure/account-deletion.service';
import type { FastifyReply } from 'fastify';
import { AccountsService } from '@app/messaging/accounts/accounts.service';
import { assertExternalId, EXTERNAL_ID_PATTERN, ExternalAccountsService } from '@app/messaging/accounts/external-accounts.service';
import { RoomsModule } from '@app/messaging/rooms/rooms.module';
import { RoomSyncService } from '@app/messaging/rooms/room-sync.service';
import { ApiErrors, INPUT, NOT_FOUND, RATE_LIMITED } from '../http/api-docs';
import { PlatformKeyGuard } from './platform-key.guard';
import { PutExternalRoomDto, PutExternalUserDto } from './platform.dto';
import { ExternalRoom, ExternalTokens, ExternalUser } from './platform.schemas';
import { AccountDeleted } from '../v1/accounts.schemas';

/** The OpenAPI security scheme of /platform/v1 (app.factory registers it). */
export const PLATFORM_KEY_SCHEME = 'platform-key';

const ApiExternalIdParam = (name: string, description: string) =>
  ApiParam({ name, schema: { type: 'string', pattern: EXTERNAL_ID_PATTERN, example: 'host-user-42' }, description });

/** Every platform route: the key (401), absent when no keys are configured (404), a budget per key (429). */
const PLATFORM_AUTH = { 401: ['unauthorized'], 404: ['not_found'] };

/**
 * Server-to-server routes for the app Backchannel is embedded in (API.md, "Platform API").
 * Its backend upserts its users, mints their tokens and pushes its audio rooms' state.
 */
@ApiTags('platform')
@ApiBearerAuth(PLATFORM_KEY_SCHEME)
@ApiErrors(PLATFORM_AUTH, RATE_LIMITED)
@UseGuards(PlatformKeyGuard)
@Controller('platform/v1')
export class PlatformController {
  constructor(
    private readonly external: ExternalAccountsService,
    private readonly accounts: AccountsService,
    private readonly rooms: RoomSyncService,
    private readonly deletion: AccountDeletionService,
  ) {}

  @Delete('users/:externalId')
  @HttpCode(202)
  @ApiOperation({
    summary: "Delete the user tied to one of the host app's accounts",
    description:
      'As DELETE /v1/me does for the person: sessions and sockets end at once, the profile reads "Deleted account", the messages they sent are removed for end users (`account_deleted`). The externalId is free again for a new account; repeating the deletion is 202 again.',
  })
  @ApiExternalIdParam('externalId', "The host app's account id")
  @ApiAcceptedResponse({ type: AccountDeleted, description: 'Deleted; the rest of the erasure follows in the background' })
  @ApiErrors(INPUT, NOT_FOUND)
  deleteUser(@Param('externalId') externalId: string) {
    return this.deletion.deleteExternal(assertExternalId(externalId));
  }

  @Put('users/:externalId')
  @ApiOperation({
    summary: "Create or update the user tied to one of the host app's accounts",
    description:
      '201 when created, 200 when it existed (an identical repeat changes nothing). The user has no password: they sign in through tokens minted here or issued by the host.',
  })
  @ApiExternalIdParam('externalId', "The host app's account id")
  @ApiCreatedResponse({ type: ExternalUser, description: 'Created' })
  @ApiOkResponse({ type: ExternalUser, description: 'Updated, or already so' })
  @ApiErrors(INPUT, { 409: ['handle_taken'] })
  async putUser(@Param('externalId') externalId: string, @Body() dto: PutExternalUserDto, @Res({ passthrough: true }) res: FastifyReply) {
    const { user, created } = await this.external.upsert(assertExternalId(externalId), dto);
    res.status(created ? 201 : 200);
    return user;
  }

  @Post('users/:externalId/tokens')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mint an access and refresh token for that user, as sign-in gives',
    description:
      'Refresh, logout and revocation work as for a password sign-in. A suspended or banned account is refused with 401 account_suspended and `details.appealToken`.',
  })
  @ApiExternalIdParam('externalId', "The host app's account id")
  @ApiOkResponse({ type: ExternalTokens })
  @ApiErrors(INPUT, NOT_FOUND, PLATFORM_AUTH, { 401: ['account_suspended'] })
  async tokens(@Param('externalId') externalId: string) {
    const session = await this.accounts.signInExternal(assertExternalId(externalId));
    return { accessToken: session.accessToken, refreshToken: session.refreshToken };
  }

  @Put('rooms/:externalId')
  @ApiOperation({
    summary: 'Push the state of one of the host app’s audio rooms',
    description:
      'The whole current state: title, scheduled (v1.2, with an optional startsAt), live or ended, and everyone in the room with their role. The backchannel is exactly the moderators (host included); everyone listed is an attendee; people no longer listed have left. An identical repeat changes nothing and emits nothing; an ended room stays ended (422 room_ended on a later live or scheduled), a live one does not go back to scheduled (409 conflict). Every userExternalId must have been upserted first (422 unknown_user, `details.userExternalIds`).',
  })
  @ApiExternalIdParam('externalId', "The host app's room id")
  @ApiOkResponse({ type: ExternalRoom })
  @ApiErrors(INPUT, { 409: ['conflict'], 422: ['unknown_user', 'room_host_required', 'room_ended'] })
  putRoom(@Param('externalId') externalId: string, @Body() dto: PutExternalRoomDto) {
    return this.rooms.put(externalId, dto);
  }
}

@Module({ imports: [RoomsModule], controllers: [PlatformController], providers: [PlatformKeyGuard] })
export class PlatformHttpModule {}
