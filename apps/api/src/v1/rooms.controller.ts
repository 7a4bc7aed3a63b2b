import { Body, Controller, Get, HttpCode, Module, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { QuestionsService } from '@app/messaging/rooms/questions.service';
import { RoomsModule } from '@app/messaging/rooms/rooms.module';
import { RoomsService } from '@app/messaging/rooms/rooms.service';
import { CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { optionalString, parseLimit } from '../http/list-params';
import { AskQuestionDto, CreateRoomDto, SetQuestionStatusDto, SetRoleDto } from './rooms.dto';

@ApiTags('rooms')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller('v1/rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomsService,
    private readonly questions: QuestionsService,
  ) {}

  @Post()
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateRoomDto) {
    return this.rooms.create(user.id, dto.title);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.rooms.get(user.id, id);
  }

  @Post(':id/join')
  @HttpCode(200)
  join(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.rooms.join(user.id, id);
  }

  @Post(':id/leave')
  @HttpCode(200)
  leave(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.rooms.leave(user.id, id);
  }

  @Put(':id/members/:userId/role')
  setRole(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('userId') userId: string, @Body() dto: SetRoleDto) {
    return this.rooms.setRole(user.id, id, userId, dto.role);
  }

  @Post(':id/end')
  @HttpCode(200)
  end(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.rooms.end(user.id, id);
  }

  @Get(':id/backchannel')
  backchannel(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.rooms.backchannel(user.id, id);
  }

  @Get(':id/attendees')
  attendees(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: Record<string, unknown>) {
    return this.rooms.attendees(user.id, id, parseLimit(query.limit), optionalString(query.cursor, 'cursor'));
  }

  @Post(':id/questions')
  ask(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: AskQuestionDto) {
    return this.questions.ask(user.id, id, { ...dto });
  }

  @Get(':id/questions')
  listQuestions(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: Record<string, unknown>) {
    return this.questions.list(user.id, id, parseLimit(query.limit), optionalString(query.cursor, 'cursor'));
  }

  @Post(':id/questions/:qid/upvote')
  @HttpCode(200)
  upvote(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('qid') qid: string) {
    return this.questions.upvote(user.id, id, qid);
  }

  @Patch(':id/questions/:qid')
  setStatus(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('qid') qid: string, @Body() dto: SetQuestionStatusDto) {
    return this.questions.setStatus(user.id, id, qid, dto.status);
  }
}

/** The rooms routes with their domain module (registered in API_MODULES). */
@Module({ imports: [RoomsModule], controllers: [RoomsController] })
export class RoomsHttpModule {}
