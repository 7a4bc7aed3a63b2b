import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, STAFF_AUTH } from '../http/api-docs';
import { ModerationStats } from './admin.schemas';
import { ModerationStatsService } from '@app/messaging/safety/audit/moderation-stats.service';
import { StaffAuthGuard } from '../http/auth';

@ApiTags('admin: stats')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/stats')
export class StatsAdminController {
  constructor(private readonly stats: ModerationStatsService) {}

  /** The dashboard: open reports by reason, overdue, median response times, spam senders, link verdicts. */
  @Get()
  @ApiOperation({ summary: 'Dashboard numbers: open reports, overdue, medians, spam senders, link verdicts' })
  @ApiOkResponse({ type: ModerationStats })
  get() {
    return this.stats.stats();
  }
}
