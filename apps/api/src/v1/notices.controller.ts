import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { CasesService } from '@app/messaging/safety/reports/cases.service';
import { NoticesService } from '@app/messaging/safety/enforcement/notices.service';
import { AppealAuthGuard, CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { optionalString, parseLimit } from '../http/list-params';
import { ApiErrors, ApiPageQuery, ApiUuidParam, INPUT, NOT_FOUND, USER_AUTH } from '../http/api-docs';
import { Notice, NoticePage } from './safety.schemas';

export class NoticeReplyDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 2000, example: 'It was a joke between friends; here is the context.' })
  @IsString()
  @MaxLength(2000)
  @Matches(/\S/, { message: 'text must not be empty' })
  @Matches(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, { message: 'text must not contain control characters' })
  text!: string;
}

@ApiTags('notices')
@ApiBearerAuth()
@ApiErrors(USER_AUTH)
@Controller('v1/notices')
export class NoticesController {
  constructor(
    private readonly notices: NoticesService,
    private readonly cases: CasesService,
  ) {}

  /** Newest first: report receipts and outcomes, warnings, enforcement (with statements), appeal decisions, messages from the team. */
  @Get()
  @UseGuards(AppealAuthGuard)
  @ApiOperation({
    summary: 'What moderation told me, newest first',
    description: 'Also with the appeal-only token a suspended account gets at sign-in (details.appealToken).',
  })
  @ApiPageQuery()
  @ApiOkResponse({ type: NoticePage })
  @ApiErrors(INPUT, { 400: ['invalid_cursor'] })
  list(@CurrentUser() user: AuthUser, @Query() query: Record<string, unknown>) {
    return this.notices.list(user.id, parseLimit(query.limit), optionalString(query.cursor, 'cursor'));
  }

  /** Answer a message from the team (kind case_message), once per message. */
  @Post(':id/reply')
  @UseGuards(UserAuthGuard)
  @HttpCode(200)
  @ApiOperation({ summary: 'Answer a message from the team, once (409 already_replied after)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Notice })
  @ApiErrors(INPUT, NOT_FOUND, { 409: ['already_replied'], 422: ['unprocessable'] })
  reply(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: NoticeReplyDto) {
    return this.cases.reply(user.id, id, dto.text.trim());
  }
}
