import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ConversationsService } from '@app/messaging/conversations/conversations.service';
import { MessagesService } from '@app/messaging/messages/messages.service';
import { MessageEditsService } from '@app/messaging/messages/message-edits.service';
import { MessageReactionsService } from '@app/messaging/messages/message-reactions.service';
import { CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { parseLimit, parseSeq, optionalString } from '../http/list-params';
import { ApiErrors, ApiPageQuery, ApiUuidParam, INPUT, NOT_FOUND, RATE_LIMITED, USER_AUTH } from '../http/api-docs';
import { EXAMPLE_USER_ID } from './accounts.schemas';
import { CreateConversationDto, EditMessageDto, MembersDto, ReadDto, SendMessageDto } from './conversations.dto';
import { Conversation, ConversationPage, Declined, Message, MessagePage, ReadMarker } from './conversations.schemas';

/** Refusals of starting or growing a conversation (message-request rules, blocks, restrictions). */
const START_RULES = { 403: ['blocked', 'recipient_not_accepting', 'messaging_restricted'], 422: ['group_too_large', 'unprocessable'] };

@ApiTags('conversations')
@ApiBearerAuth()
@ApiErrors(USER_AUTH)
@UseGuards(UserAuthGuard)
@Controller('v1/conversations')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly edits: MessageEditsService,
    private readonly reactions: MessageReactionsService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Start a conversation: direct (one other participant) or group',
    description:
      'A direct conversation of the same pair is returned as it is (200), never twice. A recipient who does not follow you gets it as a message request.',
  })
  @ApiBody({
    type: CreateConversationDto,
    examples: {
      direct: { summary: 'A direct conversation', value: { participantIds: [EXAMPLE_USER_ID] } },
      group: {
        summary: 'A group',
        value: { participantIds: [EXAMPLE_USER_ID, '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c9e'], title: 'Weekend plans' },
      },
    },
  })
  @ApiCreatedResponse({ type: Conversation, description: 'Created' })
  @ApiOkResponse({ type: Conversation, description: 'The existing direct conversation of this pair' })
  @ApiErrors(INPUT, { 404: ['not_found'] }, START_RULES, RATE_LIMITED)
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateConversationDto, @Res({ passthrough: true }) res: FastifyReply) {
    const { conversation, created } = await this.conversations.create(user.id, dto);
    res.status(created ? 201 : 200);
    return conversation;
  }

  @Get()
  @ApiOperation({ summary: 'My conversations in a folder, newest activity first' })
  @ApiQuery({
    name: 'folder',
    required: false,
    schema: { type: 'string', enum: ['inbox', 'requests', 'hidden'], default: 'inbox' },
    description:
      'inbox: where I am active; requests: message requests waiting for me, except hidden ones; hidden: requests hidden by my hidden words (or a staff rule)',
  })
  @ApiPageQuery()
  @ApiOkResponse({ type: ConversationPage })
  @ApiErrors(INPUT, { 400: ['invalid_cursor'] })
  list(@CurrentUser() user: AuthUser, @Query() query: Record<string, unknown>) {
    return this.conversations.list(user.id, query.folder ?? 'inbox', optionalString(query.cursor, 'cursor'), parseLimit(query.limit));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One conversation (404 for non-members)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Conversation })
  @ApiErrors(NOT_FOUND)
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.conversations.view(id, user.id);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept a message request (it moves to the inbox)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Conversation })
  @ApiErrors(NOT_FOUND, { 422: ['not_pending'] })
  accept(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.conversations.accept(user.id, id);
  }

  @Post(':id/decline')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decline a message request (the sender is not told)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Declined })
  @ApiErrors(NOT_FOUND, { 422: ['not_pending'] })
  async decline(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.conversations.decline(user.id, id);
    return { id, myState: 'declined' };
  }

  @Post(':id/members')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add members to a group (15 members at most)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Conversation })
  @ApiErrors(INPUT, NOT_FOUND, START_RULES, { 403: ['conversation_locked'], 422: ['not_a_group'] }, RATE_LIMITED)
  addMembers(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: MembersDto) {
    return this.conversations.addMembers(user.id, id, dto.userIds);
  }

  @Delete(':id/members/me')
  @HttpCode(204)
  @ApiOperation({ summary: 'Leave a group' })
  @ApiUuidParam()
  @ApiNoContentResponse()
  @ApiErrors(NOT_FOUND, { 422: ['not_a_group'] })
  async leave(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.conversations.leave(user.id, id);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move my read marker (it never moves back)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: ReadMarker })
  @ApiErrors(INPUT, NOT_FOUND)
  read(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: ReadDto) {
    return this.conversations.markRead(user.id, id, dto.seq);
  }

  @Post(':id/messages')
  @ApiOperation({
    summary: 'Send a text message',
    description:
      'The same clientId again from the same sender answers 200 with the stored message, nothing new stored. Any attachments, image, video or media field → 422.',
  })
  @ApiUuidParam()
  @ApiBody({ type: SendMessageDto })
  @ApiCreatedResponse({ type: Message, description: 'Stored' })
  @ApiOkResponse({ type: Message, description: 'A retry of a stored clientId' })
  @ApiErrors(
    INPUT,
    { 400: ['invalid_text'] },
    NOT_FOUND,
    {
      403: ['blocked', 'request_pending_limit', 'messaging_restricted', 'conversation_locked'],
      422: ['attachments_not_supported', 'reply_target_not_found'],
    },
    RATE_LIMITED,
  )
  async send(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    // The raw body on purpose: "any attachments/image/video/media field" must be seen as sent.
    const { message, created } = await this.messages.send(user.id, id, body ?? {});
    res.status(created ? 201 : 200);
    return message;
  }

  @Get(':id/messages')
  @ApiOperation({ summary: 'Messages of a conversation, ordered by seq' })
  @ApiUuidParam()
  @ApiQuery({
    name: 'afterSeq',
    required: false,
    schema: { type: 'integer', minimum: 0 },
    description: 'Only messages with a greater seq (oldest first)',
  })
  @ApiQuery({
    name: 'beforeSeq',
    required: false,
    schema: { type: 'integer', minimum: 0 },
    description: 'Only messages with a smaller seq (the newest of them)',
  })
  @ApiPageQuery()
  @ApiOkResponse({ type: MessagePage })
  @ApiErrors(INPUT, NOT_FOUND)
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
  @ApiOperation({ summary: 'Unsend my message: removed for everyone, its seq stays' })
  @ApiUuidParam()
  @ApiUuidParam('messageId')
  @ApiOkResponse({ type: Message })
  @ApiErrors(NOT_FOUND, { 403: ['forbidden'] })
  unsend(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('messageId') messageId: string) {
    return this.messages.unsend(user.id, id, messageId);
  }

  @Patch(':id/messages/:messageId')
  @ApiOperation({
    summary: 'Edit my message (within 15 minutes of sending it)',
    description:
      'Own visible messages only. The same text rules, write checks, staff rules and send budgets as a send; links are found and scanned again; editedAt is set and members get message.updated. Every earlier version is kept for staff (a report freezes them as evidence), at most 20: a 21st edit is 409 edit_limit_reached. The same text again changes nothing.',
  })
  @ApiUuidParam()
  @ApiUuidParam('messageId')
  @ApiBody({ type: EditMessageDto })
  @ApiOkResponse({ type: Message })
  @ApiErrors(
    INPUT,
    { 400: ['invalid_text'] },
    NOT_FOUND,
    {
      403: ['forbidden', 'edit_window_passed', 'blocked', 'messaging_restricted', 'conversation_locked', 'blocked_by_rule'],
      409: ['message_removed', 'edit_limit_reached'],
      422: ['attachments_not_supported'],
    },
    RATE_LIMITED,
  )
  edit(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('messageId') messageId: string,
    @Body() body: Record<string, unknown>,
  ) {
    return this.edits.edit(user.id, id, messageId, body ?? {});
  }

  @Put(':id/messages/:messageId/reactions/:emoji')
  @HttpCode(204)
  @ApiOperation({
    summary: 'React to a message with one emoji (idempotent)',
    description: 'At most 20 different emoji on one message. Members get message.updated.',
  })
  @ApiUuidParam()
  @ApiUuidParam('messageId')
  @ApiParam({
    name: 'emoji',
    schema: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[^\\s/]+$' },
    description:
      'Exactly one URL-encoded emoji (one grapheme: skin tones, flags and ZWJ sequences included); anything else → 400 invalid_request',
    example: '👍',
  })
  @ApiNoContentResponse()
  @ApiErrors(
    INPUT,
    NOT_FOUND,
    { 403: ['forbidden', 'blocked', 'messaging_restricted', 'conversation_locked'], 409: ['message_removed'], 422: ['too_many_reactions'] },
    RATE_LIMITED,
  )
  async react(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('messageId') messageId: string,
    @Param('emoji') emoji: string,
  ) {
    await this.reactions.react(user.id, id, messageId, emoji, true);
  }

  @Delete(':id/messages/:messageId/reactions/:emoji')
  @HttpCode(204)
  @ApiOperation({ summary: 'Take back my reaction (idempotent)' })
  @ApiUuidParam()
  @ApiUuidParam('messageId')
  @ApiParam({
    name: 'emoji',
    schema: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[^\\s/]+$' },
    description:
      'Exactly one URL-encoded emoji (one grapheme: skin tones, flags and ZWJ sequences included); anything else → 400 invalid_request',
    example: '👍',
  })
  @ApiNoContentResponse()
  @ApiErrors(
    INPUT,
    NOT_FOUND,
    { 403: ['forbidden', 'blocked', 'messaging_restricted', 'conversation_locked'], 409: ['message_removed'] },
    RATE_LIMITED,
  )
  async unreact(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('messageId') messageId: string,
    @Param('emoji') emoji: string,
  ) {
    await this.reactions.react(user.id, id, messageId, emoji, false);
  }
}
