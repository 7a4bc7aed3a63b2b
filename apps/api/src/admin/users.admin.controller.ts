import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LegalHoldsService } from '@app/messaging/safety/reports/legal-holds.service';
import { ApiErrors, ApiStaffList, ApiUuidParam, INPUT, NOT_FOUND, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import type { FastifyReply } from 'fastify';
import { SpamQueueService } from '@app/messaging/safety/reports/spam-queue.service';
import { UserReviewService } from '@app/messaging/safety/reports/user-review.service';
import { DmControlsService } from '@app/messaging/safety/enforcement/dm-controls.service';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { DmControlNoteDto, LegalHoldDto, NoteDto, StandingQueryDto, UserActionDto } from './admin.dto';
import { sendPage } from './ra-response';
import {
  DmAccessState,
  DmStats,
  SettledHeldRequests,
  SpamRequest,
  UserActionResult,
  UserHistory,
  UserRecord,
  UserStanding,
} from './admin.schemas';

const USER_SORTS = ['createdAt', 'handle', 'displayName', 'status', 'strikes', 'restrictedUntil', 'suspendedUntil', 'id'];
const SPAM_SORTS = ['score', 'requestsSent', 'declined', 'reported', 'lastAt', 'senderHandle', 'senderId', 'id'];

@ApiTags('admin: users')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/users')
export class UsersAdminController {
  constructor(
    private readonly users: UserReviewService,
    private readonly holds: LegalHoldsService,
    private readonly dm: DmControlsService,
  ) {}

  @Put(':id/legal-hold')
  @HttpCode(204)
  @MinRole('admin')
  @ApiOperation({
    summary: "Place a legal hold (admin): the account's evidence is kept past its retention, even after a deletion; audited",
  })
  @ApiUuidParam()
  @ApiNoContentResponse({ description: 'Held (a repeat replaces the note)' })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE)
  async placeLegalHold(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: LegalHoldDto) {
    await this.holds.place(id, staff, dto.note);
  }

  @Delete(':id/legal-hold')
  @HttpCode(204)
  @MinRole('admin')
  @ApiOperation({ summary: 'Lift a legal hold (admin); the retention applies again; audited' })
  @ApiUuidParam()
  @ApiNoContentResponse({ description: 'Lifted, or there was none' })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE)
  async liftLegalHold(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: LegalHoldDto) {
    await this.holds.lift(id, staff, dto.note);
  }

  @Get()
  @ApiOperation({ summary: 'End-user accounts' })
  @ApiStaffList(UserRecord, USER_SORTS)
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'users', await this.users.list(parseRaList(query, USER_SORTS, ['createdAt', 'DESC'])));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One account' })
  @ApiUuidParam()
  @ApiOkResponse({ type: UserRecord })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.users.one(id);
  }

  /** Profile, standing, strikes, the ladder's suggestion, reports, actions, appeals, spam signals (audited). */
  @Get(':id/history')
  @ApiOperation({ summary: "A person's whole moderation history (audited)" })
  @ApiUuidParam()
  @ApiOkResponse({ type: UserHistory })
  @ApiErrors(NOT_FOUND)
  history(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.users.history(id, staff);
  }

  /** The strikes in force and the ladder's next step (with ?policy=&severity=: for that decision). */
  @Get(':id/standing')
  @ApiOperation({ summary: "A person's strikes in force (each action's, with policy, severity and expiry) and the suggested next action" })
  @ApiUuidParam()
  @ApiOkResponse({ type: UserStanding })
  @ApiErrors(INPUT, NOT_FOUND)
  standing(@Param('id') id: string, @Query() query: StandingQueryDto) {
    return this.users.standing(id, { policy: query.policy, severity: query.severity });
  }

  /** A direct action (e.g. from the spam queue): warn, restrict_messaging, suspend or ban, under a policy and severity. */
  @Post(':id/actions')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({
    summary: 'Act on an account directly (moderator): warn, restrict, suspend or ban, with its notice and statement of reasons',
  })
  @ApiUuidParam()
  @ApiOkResponse({ type: UserActionResult })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, { 422: ['unprocessable'] })
  act(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: UserActionDto) {
    return this.users.act(id, staff, {
      action: dto.action,
      durationHours: dto.durationHours,
      note: dto.note?.trim() || null,
      policy: dto.policy,
      severity: dto.severity,
    });
  }

  /** Switches off starting conversations and adding members; replies where they are active still work (v1.2). */
  @Put(':id/dm-access')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({
    summary: "Switch off a user's DM access (moderator, audited)",
    description:
      'They may no longer start conversations or add members (403 messaging_restricted) but still read and reply where they are active. Idempotent.',
  })
  @ApiUuidParam()
  @ApiOkResponse({ type: DmAccessState })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE)
  revokeDmAccess(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: DmControlNoteDto) {
    return this.dm.setDmAccess(id, staff, false, dto.note?.trim() || null);
  }

  @Delete(':id/dm-access')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({ summary: "Switch a user's DM access back on (moderator, audited)", description: 'Idempotent.' })
  @ApiUuidParam()
  @ApiOkResponse({ type: DmAccessState })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE)
  restoreDmAccess(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: DmControlNoteDto) {
    return this.dm.setDmAccess(id, staff, true, dto?.note?.trim() || null);
  }

  @Get(':id/dm-stats')
  @MinRole('moderator')
  @ApiOperation({
    summary: "A user's DM statistics over the last 30 days (moderator, audited)",
    description:
      'Direct and group conversations, the 30 UTC days ending today; byDay lists every day, zeros included. Counts only, no content.',
  })
  @ApiUuidParam()
  @ApiOkResponse({ type: DmStats })
  @ApiErrors(NOT_FOUND, STAFF_ROLE)
  dmStats(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.dm.stats(id, staff);
  }
}

@ApiTags('admin: spam requests')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/spam-requests')
export class SpamRequestsAdminController {
  constructor(private readonly spam: SpamQueueService) {}

  @Get()
  @ApiOperation({ summary: 'Senders whose message requests look like spam, highest score first' })
  @ApiStaffList(SpamRequest, SPAM_SORTS, 'JSON object, e.g. {"senderId":"…"}')
  async list(@CurrentStaff() staff: AuthStaff, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'spam-requests', await this.spam.list(parseRaList(query, SPAM_SORTS, ['score', 'DESC']), staff));
  }

  @Get(':id')
  @ApiOperation({ summary: "One sender's spam signals (id: the sender's user id)" })
  @ApiUuidParam()
  @ApiOkResponse({ type: SpamRequest })
  @ApiErrors(NOT_FOUND)
  get(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.spam.one(id, staff);
  }

  @Post(':id/release')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({ summary: "Release a sender's requests held by the fan-out check to their recipients (moderator; audited)" })
  @ApiUuidParam()
  @ApiOkResponse({ type: SettledHeldRequests })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE)
  release(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.spam.settleHeld(id, staff, true, dto.note?.trim() || null);
  }

  @Post(':id/decline')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({ summary: "Decline a sender's requests held by the fan-out check: their recipients never see them (moderator; audited)" })
  @ApiUuidParam()
  @ApiOkResponse({ type: SettledHeldRequests })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE)
  decline(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.spam.settleHeld(id, staff, false, dto.note?.trim() || null);
  }
}
