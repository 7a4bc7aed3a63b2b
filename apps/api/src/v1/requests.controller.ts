import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConversationsService } from '@app/messaging/conversations/conversations.service';
import { CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { ApiErrors, INPUT, RATE_LIMITED, USER_AUTH } from '../http/api-docs';
import { DeclineAllDto } from './conversations.dto';
import { DeclinedAll } from './conversations.schemas';

/** Message requests as a whole (API.md v1.1, "Conversations"). */
@ApiTags('conversations')
@ApiBearerAuth()
@ApiErrors(USER_AUTH)
@UseGuards(UserAuthGuard)
@Controller('v1/requests')
export class RequestsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Post('decline-all')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Decline every pending request this sender created for me (the sender is not told)',
    description: 'An unknown sender, or one with no pending request to me, declines nothing: {declined: 0}.',
  })
  @ApiOkResponse({ type: DeclinedAll })
  @ApiErrors(INPUT, RATE_LIMITED)
  declineAll(@CurrentUser() user: AuthUser, @Body() dto: DeclineAllDto) {
    return this.conversations.declineAll(user.id, dto?.senderId);
  }
}
