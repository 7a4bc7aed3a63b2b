import { Body, Controller, Get, HttpCode, Module, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { QuestionsService } from '@app/messaging/rooms/questions.service';
import { RoomsModule } from '@app/messaging/rooms/rooms.module';
import { RoomsService } from '@app/messaging/rooms/rooms.service';
import { CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { optionalString, parseLimit } from '../http/list-params';
import { ApiErrors, ApiPageQuery, ApiUuidParam, INPUT, NOT_FOUND, RATE_LIMITED, USER_AUTH } from '../http/api-docs';
import { Conversation } from './conversations.schemas';
import { AskQuestionDto, CreateRoomDto, SetQuestionStatusDto, SetRoleDto } from './rooms.dto';
import { Attendee, AttendeePage, Question, QuestionPage, Room, RoomList } from './rooms.schemas';

@ApiTags('rooms')
@ApiBearerAuth()
@ApiErrors(USER_AUTH)
@UseGuards(UserAuthGuard)
@Controller('v1/rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomsService,
    private readonly questions: QuestionsService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Start a live room, or schedule one (startsAt); I am its host and a moderator',
    description:
      'With `startsAt` the room is `scheduled`: the host names moderators and speakers, who organize in its backchannel; join and questions answer 422 room_not_live until it is started.',
  })
  @ApiCreatedResponse({ type: Room })
  @ApiErrors(INPUT)
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateRoomDto) {
    return this.rooms.create(user.id, dto.title, dto.startsAt);
  }

  @Get()
  @ApiOperation({ summary: 'Rooms I host, moderate or speak in that are scheduled or live (v1.2)' })
  @ApiQuery({ name: 'status', required: false, enum: ['scheduled', 'live'] })
  @ApiOkResponse({ type: RoomList })
  @ApiErrors(INPUT)
  list(@CurrentUser() user: AuthUser, @Query('status') status?: string) {
    return this.rooms.list(user.id, status);
  }

  @Post(':id/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a scheduled room: it goes live (host or moderator; v1.2)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Room })
  @ApiErrors(NOT_FOUND, { 403: ['forbidden'], 422: ['room_ended'] })
  start(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.rooms.start(user.id, id);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A room I am or was in' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Room })
  @ApiErrors(NOT_FOUND)
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.rooms.get(user.id, id);
  }

  @Post(':id/join')
  @HttpCode(200)
  @ApiOperation({ summary: 'Join a live room as a listener' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Room })
  @ApiErrors(NOT_FOUND, { 422: ['room_ended', 'room_not_live'] })
  join(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.rooms.join(user.id, id);
  }

  @Post(':id/leave')
  @HttpCode(200)
  @ApiOperation({ summary: 'Leave a room (a moderator leaves the backchannel too)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Room })
  @ApiErrors(NOT_FOUND)
  leave(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.rooms.leave(user.id, id);
  }

  @Put(':id/members/:userId/role')
  @ApiOperation({ summary: "Set a member's role (moderators only)" })
  @ApiUuidParam()
  @ApiUuidParam('userId')
  @ApiOkResponse({ type: Attendee })
  @ApiErrors(INPUT, NOT_FOUND, { 403: ['forbidden'], 422: ['room_ended'] })
  setRole(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('userId') userId: string, @Body() dto: SetRoleDto) {
    return this.rooms.setRole(user.id, id, userId, dto.role);
  }

  @Post(':id/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'End the room (host or moderator)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Room })
  @ApiErrors(NOT_FOUND, { 403: ['forbidden'] })
  end(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.rooms.end(user.id, id);
  }

  @Get(':id/backchannel')
  @ApiOperation({ summary: "The room's moderators-only conversation (404 for everyone else)" })
  @ApiUuidParam()
  @ApiOkResponse({ type: Conversation })
  @ApiErrors(NOT_FOUND)
  backchannel(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.rooms.backchannel(user.id, id);
  }

  @Get(':id/attendees')
  @ApiOperation({ summary: 'Everyone who was in the room (for people who were in it)' })
  @ApiUuidParam()
  @ApiPageQuery()
  @ApiOkResponse({ type: AttendeePage })
  @ApiErrors(INPUT, { 400: ['invalid_cursor'] }, NOT_FOUND)
  attendees(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: Record<string, unknown>) {
    return this.rooms.attendees(user.id, id, parseLimit(query.limit), optionalString(query.cursor, 'cursor'));
  }

  @Post(':id/questions')
  @ApiOperation({
    summary: 'Ask a question in a live room',
    description: 'Text rules as for messages (1–500 characters); links are scanned; media fields → 422.',
  })
  @ApiUuidParam()
  @ApiCreatedResponse({ type: Question })
  @ApiErrors(
    INPUT,
    { 400: ['invalid_text'] },
    NOT_FOUND,
    { 422: ['room_ended', 'room_not_live', 'attachments_not_supported'] },
    RATE_LIMITED,
  )
  ask(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: AskQuestionDto) {
    return this.questions.ask(user.id, id, { ...dto });
  }

  @Get(':id/questions')
  @ApiOperation({ summary: "A room's questions (moderators: all; others: their own and pinned ones)" })
  @ApiUuidParam()
  @ApiPageQuery()
  @ApiOkResponse({ type: QuestionPage })
  @ApiErrors(INPUT, { 400: ['invalid_cursor'] }, NOT_FOUND, { 422: ['room_not_live'] })
  listQuestions(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: Record<string, unknown>) {
    return this.questions.list(user.id, id, parseLimit(query.limit), optionalString(query.cursor, 'cursor'));
  }

  @Post(':id/questions/:qid/upvote')
  @HttpCode(200)
  @ApiOperation({ summary: 'Upvote a question (once per user)' })
  @ApiUuidParam()
  @ApiUuidParam('qid')
  @ApiOkResponse({ type: Question })
  @ApiErrors(NOT_FOUND, { 422: ['room_ended'] })
  upvote(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('qid') qid: string) {
    return this.questions.upvote(user.id, id, qid);
  }

  @Patch(':id/questions/:qid')
  @ApiOperation({ summary: "Set a question's status (moderators only)" })
  @ApiUuidParam()
  @ApiUuidParam('qid')
  @ApiOkResponse({ type: Question })
  @ApiErrors(INPUT, NOT_FOUND, { 403: ['forbidden'], 422: ['room_ended'] })
  setStatus(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('qid') qid: string, @Body() dto: SetQuestionStatusDto) {
    return this.questions.setStatus(user.id, id, qid, dto.status);
  }
}

/** The rooms routes with their domain module (registered in API_MODULES). */
@Module({ imports: [RoomsModule], controllers: [RoomsController] })
export class RoomsHttpModule {}
