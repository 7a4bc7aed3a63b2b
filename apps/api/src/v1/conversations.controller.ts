import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import type { Response } from 'express';
import { ConversationsService } from '@app/messaging/conversations/conversations.service';
import { MessagesService } from '@app/messaging/messages/messages.service';
import { CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { parseLimit, parseSeq, optionalString } from '../http/list-params';

// Bodies are validated by the domain services (the socket path shares them), so the DTOs
// only document the shape and let every field through to them.
class CreateConversationDto {
  @ApiProperty({ type: [String] }) @Allow() participantIds!: unknown;
  @ApiPropertyOptional() @Allow() title?: unknown;
  @ApiPropertyOptional({ description: 'A room both attended: the conversation carries context {roomId, roomTitle}' }) @Allow() roomId?: unknown;
}
class MembersDto {
  @ApiProperty({ type: [String] }) @Allow() userIds!: unknown;
}
class ReadDto {
  @ApiProperty() @Allow() seq!: unknown;
}
class SendMessageDto {
  @ApiProperty() @Allow() clientId!: unknown;
  @ApiProperty({ maxLength: 4000 }) @Allow() text!: unknown;
  @Allow() attachments?: unknown;
  @Allow() image?: unknown;
  @Allow() video?: unknown;
  @Allow() media?: unknown;
}

@ApiTags('conversations')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller('v1/conversations')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
  ) {}

  @Post()
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateConversationDto, @Res({ passthrough: true }) res: Response) {
    const { conversation, created } = await this.conversations.create(user.id, dto);
    res.status(created ? 201 : 200);
    return conversation;
  }

  @Get()
  list(@CurrentUser() user: AuthUser, @Query() query: Record<string, unknown>) {
    return this.conversations.list(user.id, query.folder ?? 'inbox', optionalString(query.cursor, 'cursor'), parseLimit(query.limit));
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.conversations.view(id, user.id);
  }

  @Post(':id/accept')
  @HttpCode(200)
  accept(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.conversations.accept(user.id, id);
  }

  @Post(':id/decline')
  @HttpCode(200)
  async decline(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.conversations.decline(user.id, id);
    return { id, myState: 'declined' };
  }

  @Post(':id/members')
  @HttpCode(200)
  addMembers(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: MembersDto) {
    return this.conversations.addMembers(user.id, id, dto.userIds);
  }

  @Delete(':id/members/me')
  @HttpCode(204)
  async leave(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.conversations.leave(user.id, id);
  }

  @Post(':id/read')
  @HttpCode(200)
  read(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: ReadDto) {
    return this.conversations.markRead(user.id, id, dto.seq);
  }

  @Post(':id/messages')
  @ApiBody({ type: SendMessageDto })
  async send(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    // The raw body on purpose: "any attachments/image/video/media field" must be seen as sent.
    const { message, created } = await this.messages.send(user.id, id, body ?? {});
    res.status(created ? 201 : 200);
    return message;
  }

  @Get(':id/messages')
  listMessages(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: Record<string, unknown>) {
    // nextCursor continues the page's direction: `<seq>` goes on after it, `b<seq>` goes on before it.
    const cursor = optionalString(query.cursor, 'cursor');
    const back = cursor !== undefined ? /^b(\d{1,15})$/.exec(cursor) : null;
    return this.messages.list(user.id, id, {
      afterSeq: back ? undefined : cursor !== undefined ? parseSeq(cursor, 'cursor') : parseSeq(query.afterSeq, 'afterSeq'),
      beforeSeq: back ? Number(back[1]) : parseSeq(query.beforeSeq, 'beforeSeq'),
      limit: parseLimit(query.limit),
    });
  }

  @Delete(':id/messages/:messageId')
  @HttpCode(200)
  unsend(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('messageId') messageId: string) {
    return this.messages.unsend(user.id, id, messageId);
  }
}
