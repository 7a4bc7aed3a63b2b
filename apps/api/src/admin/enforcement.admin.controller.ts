import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStaffList, ApiUuidParam, INPUT, NOT_FOUND, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import type { FastifyReply } from 'fastify';
import { AppealsService } from '@app/messaging/safety/enforcement/appeals.service';
import { EnforcementService } from '@app/messaging/safety/enforcement/enforcement.service';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { AppealDecisionDto, LiftActionDto } from './admin.dto';
import { sendPage } from './ra-response';
import { ModerationAction, StaffAppeal } from './admin.schemas';
import { Appeal } from '../v1/safety.schemas';

const ACTION_SORTS = ['createdAt', 'action', 'reason', 'policy', 'note', 'expiresAt', 'liftedAt', 'userId', 'staffId', 'reportId', 'id'];
const APPEAL_SORTS = ['createdAt', 'status', 'decidedAt', 'userId', 'id'];

@ApiTags('admin: actions')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/actions')
export class ActionsAdminController {
  constructor(private readonly enforcement: EnforcementService) {}

  @Get()
  @ApiOperation({ summary: 'Enforcement actions taken against accounts' })
  @ApiStaffList(ModerationAction, ACTION_SORTS)
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'actions', await this.enforcement.listActions(parseRaList(query, ACTION_SORTS, ['createdAt', 'DESC'])));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One enforcement action' })
  @ApiUuidParam()
  @ApiOkResponse({ type: ModerationAction })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.enforcement.oneAction(id);
  }

  /** Ends a restriction, suspension or ban early: the account is restored at once (v1.1). */
  @Post(':id/lift')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Lift a warning, restriction, suspension or ban (moderator): the account is restored and its strikes stop counting at once',
  })
  @ApiUuidParam()
  @ApiOkResponse({ type: ModerationAction })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, { 409: ['already_lifted', 'already_ended'], 422: ['not_liftable'] })
  @MinRole('moderator')
  lift(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: LiftActionDto) {
    return this.enforcement.liftEarly(id, staff.id, dto.note?.trim() || null);
  }
}

@ApiTags('admin: appeals')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/appeals')
export class AppealsAdminController {
  constructor(private readonly appeals: AppealsService) {}

  @Get()
  @ApiOperation({ summary: 'Appeals of enforcement actions' })
  @ApiStaffList(StaffAppeal, APPEAL_SORTS)
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'appeals', await this.appeals.list(parseRaList(query, APPEAL_SORTS, ['createdAt', 'DESC'])));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One appeal' })
  @ApiUuidParam()
  @ApiOkResponse({ type: StaffAppeal })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.appeals.one(id);
  }

  /** upheld lifts the action (un-suspends, un-restricts, removes its strikes); denied keeps it. */
  @Post(':id/decide')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({ summary: 'Decide an appeal (moderator): upheld lifts the action' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Appeal })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, { 409: ['conflict'] })
  decide(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: AppealDecisionDto) {
    return this.appeals.decide(id, staff, dto.decision, dto.note?.trim() || null);
  }
}
