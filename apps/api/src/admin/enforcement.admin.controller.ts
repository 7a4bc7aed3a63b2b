import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppealsService } from '@app/messaging/safety/appeals.service';
import { EnforcementService } from '@app/messaging/safety/enforcement.service';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { AppealDecisionDto, LiftActionDto } from './admin.dto';
import { sendPage } from './ra-response';

const ACTION_SORTS = ['createdAt', 'action', 'reason', 'note', 'expiresAt', 'liftedAt', 'userId', 'staffId', 'reportId', 'id'];
const APPEAL_SORTS = ['createdAt', 'status', 'decidedAt', 'userId', 'id'];

@ApiTags('admin: actions')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/actions')
export class ActionsAdminController {
  constructor(private readonly enforcement: EnforcementService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return sendPage(res, 'actions', await this.enforcement.listActions(parseRaList(query, ACTION_SORTS, ['createdAt', 'DESC'])));
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.enforcement.oneAction(id);
  }

  /** Ends a restriction, suspension or ban early: the account is restored at once (v1.1). */
  @Post(':id/lift')
  @HttpCode(200)
  @MinRole('moderator')
  lift(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: LiftActionDto) {
    return this.enforcement.liftEarly(id, staff.id, dto.note?.trim() || null);
  }
}

@ApiTags('admin: appeals')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/appeals')
export class AppealsAdminController {
  constructor(private readonly appeals: AppealsService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return sendPage(res, 'appeals', await this.appeals.list(parseRaList(query, APPEAL_SORTS, ['createdAt', 'DESC'])));
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.appeals.one(id);
  }

  /** upheld lifts the action (un-suspends, un-restricts, removes the strike); denied keeps it. */
  @Post(':id/decide')
  @HttpCode(200)
  @MinRole('moderator')
  decide(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: AppealDecisionDto) {
    return this.appeals.decide(id, staff, dto.decision, dto.note?.trim() || null);
  }
}
