import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { NoticesService } from '@app/messaging/safety/notices.service';
import { CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { optionalString, parseLimit } from '../http/list-params';

@ApiTags('notices')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller('v1/notices')
export class NoticesController {
  constructor(private readonly notices: NoticesService) {}

  /** Newest first: report outcomes, warnings, enforcement and appeal decisions. */
  @Get()
  list(@CurrentUser() user: AuthUser, @Query() query: Record<string, unknown>) {
    return this.notices.list(user.id, parseLimit(query.limit), optionalString(query.cursor, 'cursor'));
  }
}
