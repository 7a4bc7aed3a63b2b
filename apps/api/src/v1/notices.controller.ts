import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NoticesService } from '@app/messaging/safety/notices.service';
import { CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { optionalString, parseLimit } from '../http/list-params';
import { ApiErrors, ApiPageQuery, INPUT, USER_AUTH } from '../http/api-docs';
import { NoticePage } from './safety.schemas';

@ApiTags('notices')
@ApiBearerAuth()
@ApiErrors(USER_AUTH)
@UseGuards(UserAuthGuard)
@Controller('v1/notices')
export class NoticesController {
  constructor(private readonly notices: NoticesService) {}

  /** Newest first: report outcomes, warnings, enforcement and appeal decisions. */
  @Get()
  @ApiOperation({ summary: 'What moderation told me, newest first' })
  @ApiPageQuery()
  @ApiOkResponse({ type: NoticePage })
  @ApiErrors(INPUT, { 400: ['invalid_cursor'] })
  list(@CurrentUser() user: AuthUser, @Query() query: Record<string, unknown>) {
    return this.notices.list(user.id, parseLimit(query.limit), optionalString(query.cursor, 'cursor'));
  }
}
