import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ModerationStatsService } from '@app/messaging/safety/moderation-stats.service';
import { StaffAuthGuard } from '../http/auth';

@ApiTags('admin: stats')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/stats')
export class StatsAdminController {
  constructor(private readonly stats: ModerationStatsService) {}

  /** The dashboard: open reports by reason, overdue, median response times, spam senders, link verdicts. */
  @Get()
  get() {
    return this.stats.stats();
  }
}
