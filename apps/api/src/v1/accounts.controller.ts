import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { AccountsService } from '@app/messaging/accounts/accounts.service';
import { AccountDeletionService } from '@app/messaging/erasure/account-deletion.service';
import { RequestProtectionService } from '@app/messaging/conversations/request-protection.service';
import { ApiErrors, ApiPageQuery, ApiUuidParam, INPUT, NOT_FOUND, RATE_LIMITED, USER_AUTH } from '../http/api-docs';
import { optionalString, parseLimit } from '../http/list-params';
import { ClientIp, CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { DeleteAccountDto, HiddenWordsDto, LimitsDto, LoginDto, LogoutDto, RefreshDto, RegisterDto, SettingsDto } from './accounts.dto';
import { AccountDeleted, HiddenWords, KeptAtDistancePage, Limits, Me, Session, User, UserPage } from './accounts.schemas';
import { AccountSuspendedDetails } from './safety.schemas';

@ApiTags('auth')
@ApiExtraModels(AccountSuspendedDetails)
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly accounts: AccountsService) {}

  @Post('register')
  @ApiOperation({ summary: 'Create an account and sign in' })
  @ApiCreatedResponse({ type: Session })
  @ApiErrors(INPUT, RATE_LIMITED, { 403: ['registration_closed'], 409: ['handle_taken'] })
  register(@Body() dto: RegisterDto, @ClientIp() ip: string) {
    return this.accounts.register(dto, ip);
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in with handle and password',
    description:
      'A suspended account gets 401 account_suspended with `details` (AccountSuspendedDetails): `appealToken`, a token that can only appeal, the action keeping it out (with its policy, severity and strikes) and the statement of reasons.',
  })
  @ApiOkResponse({ type: Session })
  @ApiErrors(INPUT, RATE_LIMITED, { 401: ['invalid_credentials', 'account_suspended'] })
  login(@Body() dto: LoginDto, @ClientIp() ip: string) {
    return this.accounts.login(dto, ip);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Trade a refresh token for a new pair',
    description: 'Refresh tokens rotate; presenting a used one revokes its whole sign-in (401 refresh_token_reused).',
  })
  @ApiOkResponse({ type: Session })
  @ApiErrors(INPUT, { 401: ['invalid_refresh_token', 'refresh_token_reused', 'account_suspended'] })
  refresh(@Body() dto: RefreshDto) {
    return this.accounts.refresh(dto.refreshToken);
  }

  /**
   * 204, always (an unknown token included: logout is idempotent and reveals nothing): ends
   * the sign-in of that refresh token, its refresh and access tokens and its sockets.
   */
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: revoke the sign-in of a refresh token' })
  @ApiNoContentResponse({ description: 'Always, an unknown token included' })
  @ApiErrors(INPUT)
  async logout(@Body() dto: LogoutDto) {
    await this.accounts.logout(dto.refreshToken);
  }
}

@ApiTags('me')
@ApiBearerAuth()
@ApiErrors(USER_AUTH)
@UseGuards(UserAuthGuard)
@Controller('v1/me')
export class MeController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly deletion: AccountDeletionService,
    private readonly protection: RequestProtectionService,
  ) {}

  @Delete()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Delete my account',
    description:
      'Confirmed with my password (no body for an account without one). At once: my tokens stop working (401) and my sockets close, my profile reads `{handle: null, displayName: "Deleted account"}` and my handle is held for 30 days. In the background, within seconds: the messages I sent read `state: "removed"`, `removedReason: "account_deleted"` (their seq stays), my reactions are gone and I leave my groups. Repeating it is harmless.',
  })
  @ApiAcceptedResponse({ type: AccountDeleted, description: 'Deleted; the rest of the erasure follows in the background' })
  @ApiErrors(INPUT, RATE_LIMITED, { 401: ['invalid_credentials', 'unauthorized', 'session_revoked', 'account_suspended'] })
  deleteMe(@CurrentUser() user: AuthUser, @Body() dto: DeleteAccountDto, @ClientIp() ip: string) {
    return this.deletion.deleteMe(user.id, dto, ip);
  }

  @Get()
  @ApiOperation({ summary: 'My account, settings and standing' })
  @ApiOkResponse({ type: Me })
  me(@CurrentUser() user: AuthUser) {
    return this.accounts.me(user.id);
  }

  @Patch('settings')
  @ApiOperation({ summary: 'Change my settings (who may start conversations with me, who may add me to groups)' })
  @ApiOkResponse({ type: Me })
  @ApiErrors(INPUT)
  settings(@CurrentUser() user: AuthUser, @Body() dto: SettingsDto) {
    return this.accounts.updateSettings(user.id, dto);
  }

  @Get('blocks')
  @ApiOperation({ summary: 'The people I block, most recent first (to undo a block: DELETE /v1/users/:id/block)' })
  @ApiPageQuery()
  @ApiOkResponse({ type: KeptAtDistancePage })
  @ApiErrors(INPUT, { 400: ['invalid_cursor'] })
  blocks(@CurrentUser() user: AuthUser, @Query() query: Record<string, unknown>) {
    return this.accounts.keptAtDistance(user.id, 'block', parseLimit(query.limit), optionalString(query.cursor, 'cursor'));
  }

  @Get('restricted')
  @ApiOperation({ summary: 'The people I restrict, most recent first (to undo: DELETE /v1/users/:id/restrict)' })
  @ApiPageQuery()
  @ApiOkResponse({ type: KeptAtDistancePage })
  @ApiErrors(INPUT, { 400: ['invalid_cursor'] })
  restricted(@CurrentUser() user: AuthUser, @Query() query: Record<string, unknown>) {
    return this.accounts.keptAtDistance(user.id, 'restrict', parseLimit(query.limit), optionalString(query.cursor, 'cursor'));
  }

  @Get('limits')
  @ApiOperation({ summary: 'My Limits (both fields null when off)' })
  @ApiOkResponse({ type: Limits })
  limits(@CurrentUser() user: AuthUser) {
    return this.protection.limits(user.id);
  }

  @Put('limits')
  @ApiOperation({
    summary: 'Turn Limits on, or change them',
    description:
      'Until `until`, the people in `from` cannot start a conversation with me (403 recipient_not_accepting, as allowIncoming=none), ' +
      'and their pending requests move to folder=hidden. The pile-on breaker also turns them on (non_followers).',
  })
  @ApiOkResponse({ type: Limits })
  @ApiErrors(INPUT)
  setLimits(@CurrentUser() user: AuthUser, @Body() dto: LimitsDto) {
    return this.protection.setLimits(user.id, dto);
  }

  @Delete('limits')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End my Limits',
    description: 'New conversations are admitted again; requests they moved to folder=hidden stay there (nothing moves back by surprise).',
  })
  @ApiNoContentResponse({ description: 'Limits are off' })
  async endLimits(@CurrentUser() user: AuthUser) {
    await this.protection.endLimits(user.id);
  }

  @Get('hidden-words')
  @ApiOperation({
    summary: 'My hidden words',
    description:
      'Message requests containing one of these words (or a default-list word while useDefaultList is on) are listed in folder=hidden instead of requests.',
  })
  @ApiOkResponse({ type: HiddenWords })
  hiddenWords(@CurrentUser() user: AuthUser) {
    return this.accounts.hiddenWords(user.id);
  }

  @Put('hidden-words')
  @ApiOperation({
    summary: 'Replace my hidden words (both fields required)',
    description: 'Applies to existing requests at once: they move between requests and hidden.',
  })
  @ApiOkResponse({ type: HiddenWords })
  @ApiErrors(INPUT, RATE_LIMITED)
  setHiddenWords(@CurrentUser() user: AuthUser, @Body() dto: HiddenWordsDto) {
    return this.accounts.setHiddenWords(user.id, dto);
  }
}

@ApiTags('users')
@ApiBearerAuth()
@ApiErrors(USER_AUTH)
@UseGuards(UserAuthGuard)
@Controller('v1/users')
export class UsersController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @ApiOperation({ summary: 'Find a person by exact handle (case-insensitive)' })
  @ApiQuery({
    name: 'handle',
    required: true,
    schema: { type: 'string', maxLength: 100, example: 'alice_01' },
    description: 'exact handle, case-insensitive',
  })
  @ApiOkResponse({ type: UserPage, description: 'The user with that handle, or no item' })
  @ApiErrors(INPUT)
  find(@CurrentUser() user: AuthUser, @Query('handle') handle: unknown) {
    return this.accounts.findByHandle(user.id, handle);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A public profile' })
  @ApiUuidParam()
  @ApiOkResponse({ type: User })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.accounts.getPublic(id);
  }

  @Put(':id/follow')
  @HttpCode(204)
  @ApiOperation({ summary: 'Follow (idempotent)' })
  @ApiUuidParam()
  @ApiNoContentResponse()
  @ApiErrors(NOT_FOUND, { 422: ['cannot_target_self'] })
  async follow(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.accounts.follow(user.id, id);
  }

  @Delete(':id/follow')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unfollow (idempotent)' })
  @ApiUuidParam()
  @ApiNoContentResponse()
  @ApiErrors(NOT_FOUND, { 422: ['cannot_target_self'] })
  async unfollow(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.accounts.unfollow(user.id, id);
  }

  @Put(':id/block')
  @HttpCode(204)
  @ApiOperation({ summary: 'Block (idempotent)' })
  @ApiUuidParam()
  @ApiNoContentResponse()
  @ApiErrors(NOT_FOUND, { 422: ['cannot_target_self'] }, RATE_LIMITED)
  async block(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.accounts.block(user.id, id);
  }

  @Delete(':id/block')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unblock (idempotent)' })
  @ApiUuidParam()
  @ApiNoContentResponse()
  @ApiErrors(NOT_FOUND, { 422: ['cannot_target_self'] }, RATE_LIMITED)
  async unblock(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.accounts.unblock(user.id, id);
  }

  @Put(':id/restrict')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Restrict (idempotent): their new conversations with me start as requests; they stop seeing my read markers and typing',
  })
  @ApiUuidParam()
  @ApiNoContentResponse()
  @ApiErrors(NOT_FOUND, { 422: ['cannot_target_self'] }, RATE_LIMITED)
  async restrict(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.accounts.restrict(user.id, id);
  }

  @Delete(':id/restrict')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unrestrict (idempotent)' })
  @ApiUuidParam()
  @ApiNoContentResponse()
  @ApiErrors(NOT_FOUND, { 422: ['cannot_target_self'] }, RATE_LIMITED)
  async unrestrict(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.accounts.unrestrict(user.id, id);
  }
}
