import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { MessageSearchService } from '@app/messaging/messages/message-search.service';
import { CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { optionalString, parseLimit } from '../http/list-params';
import { ApiErrors, ApiPageQuery, INPUT, NOT_FOUND, RATE_LIMITED, USER_AUTH } from '../http/api-docs';
import { SearchPage } from './conversations.schemas';

@ApiTags('messages')
@ApiBearerAuth()
@ApiErrors(USER_AUTH)
@UseGuards(UserAuthGuard)
@Controller('v1/search')
export class SearchController {
  constructor(private readonly search: MessageSearchService) {}

  @Get()
  @ApiOperation({
    summary: 'Search the messages I can read',
    description:
      'Full-text (words as written, any language) over visible messages of conversations where I am active, from when I joined each, without senders I block. Best match first.',
  })
  @ApiQuery({
    name: 'q',
    required: true,
    schema: { type: 'string', minLength: 2, maxLength: 200 },
    description: 'Words to find; "quoted phrase", -word and OR work as in web search (at most 4 ORs and 12 words)',
  })
  @ApiQuery({
    name: 'conversationId',
    required: false,
    schema: { type: 'string', format: 'uuid' },
    description: 'Only this conversation (404 unless I am active in it)',
  })
  @ApiPageQuery(100, 20)
  @ApiOkResponse({ type: SearchPage })
  @ApiErrors(INPUT, { 400: ['invalid_cursor'] }, NOT_FOUND, RATE_LIMITED)
  find(@CurrentUser() user: AuthUser, @Query() query: Record<string, unknown>) {
    return this.search.search(user.id, {
      q: query.q,
      conversationId: optionalString(query.conversationId, 'conversationId'),
      limit: parseLimit(query.limit, 50),
      cursor: optionalString(query.cursor, 'cursor'),
    });
  }
}
