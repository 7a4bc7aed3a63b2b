import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { QueueStatsService } from '@app/messaging/safety/audit/queue-stats.service';
import { ApiErrors, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import { MinRole, StaffAuthGuard } from '../http/auth';
import { QueueStats } from './admin.schemas';

@ApiTags('admin: stats')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/queue-stats')
export class QueueStatsAdminController {
  constructor(private readonly stats: QueueStatsService) {}

  /** The team's panel: what waits and for how long, and reports handled per day per moderator. Moderators and admins: it names who did how much. */
  @Get()
  @MinRole('moderator')
  @ApiOperation({ summary: 'Queue statistics (moderator): open cases and reports, the oldest, reports handled per day per moderator' })
  @ApiOkResponse({ type: QueueStats })
  @ApiErrors(STAFF_ROLE)
  get() {
    return this.stats.stats();
  }
}
