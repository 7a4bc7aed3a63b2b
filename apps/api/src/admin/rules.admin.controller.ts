import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Allow } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { HeldMessagesService } from '@app/messaging/rules/held-messages.service';
import { RULE_ACTIONS, RULE_KINDS, RULE_MODES, RULE_SCOPES } from '@app/messaging/rules/rule-matcher';
import { RulesService } from '@app/messaging/rules/rules.service';
import { ApiErrors, ApiStaffList, ApiUuidParam, INPUT, NOT_FOUND, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { HeldRejectDto } from './admin.dto';
import { sendPage } from './ra-response';

const ID = { type: String, format: 'uuid' } as const;
const ID_OR_NULL = { type: String, format: 'uuid', nullable: true } as const;
const TIME = { type: String, format: 'date-time' } as const;

// ---- response shapes ----------------------------------------------------------------------

export class RuleHitCounts {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Matches in the last 24 hours' }) day!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Matches in the last 7 days' }) week!: number;
}

export class Rule {
  @ApiProperty(ID) id!: string;
  @ApiProperty({ type: String }) name!: string;
  @ApiProperty({ type: Boolean }) enabled!: boolean;
  @ApiProperty({ enum: RULE_MODES }) mode!: string;
  @ApiProperty({ enum: RULE_KINDS }) kind!: string;
  @ApiProperty({ type: [String], description: 'Keywords (`*` at either end widens), RE2 regexes, or domains' }) patterns!: string[];
  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...RULE_SCOPES] } }) appliesTo!: string[];
  @ApiProperty({ enum: RULE_ACTIONS }) action!: string;
  @ApiProperty({ type: String, description: 'Shown to the sender as the message of 403 blocked_by_rule' }) reason!: string;
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'uuid' }, description: 'Accounts this rule never applies to' })
  exemptUserIds!: string[];
  @ApiProperty({ type: [String], description: "The exempt accounts' handles, in handle order", example: ['trusted_bot'] })
  exemptHandles!: string[];
  @ApiProperty({ type: String, nullable: true, description: "The policy (key) its decisions name; default 'other'", example: 'spam' })
  policy!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "A severity key of that policy; default the policy's first", example: 'low' })
  severity!: string | null;
  @ApiProperty(ID_OR_NULL) createdBy!: string | null;
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty(TIME) updatedAt!: string;
  @ApiProperty({ type: RuleHitCounts }) hits!: RuleHitCounts;
}

export class RuleTestMatch {
  @ApiProperty(ID) ruleId!: string;
  @ApiProperty({ type: String }) name!: string;
  @ApiProperty({ type: Boolean }) enabled!: boolean;
  @ApiProperty({ enum: RULE_MODES }) mode!: string;
  @ApiProperty({ enum: RULE_ACTIONS }) action!: string;
  @ApiProperty({ enum: RULE_KINDS }) kind!: string;
  @ApiProperty({ type: String, description: 'The pattern that matched' }) pattern!: string;
}

export class RuleTestDraft {
  @ApiProperty({ type: Boolean }) matched!: boolean;
  @ApiProperty({ type: String, nullable: true }) pattern!: string | null;
}

export class RuleTestResult {
  @ApiProperty({ type: [RuleTestMatch], description: 'Stored rules (enabled or not) whose patterns match the text' })
  matches!: RuleTestMatch[];
  @ApiProperty({ type: RuleTestDraft, nullable: true, description: 'The draft rule of the request, when one was given' })
  draft!: RuleTestDraft | null;
}

export class RuleHit {
  @ApiProperty(ID) id!: string;
  @ApiProperty({ ...ID_OR_NULL, description: 'Null once the rule is deleted' }) ruleId!: string | null;
  @ApiProperty({ type: String }) ruleName!: string;
  @ApiProperty(ID) userId!: string;
  @ApiProperty({ type: String, nullable: true }) userHandle!: string | null;
  @ApiProperty({ enum: RULE_SCOPES }) scope!: string;
  @ApiProperty({ enum: RULE_MODES }) mode!: string;
  @ApiProperty({ enum: RULE_ACTIONS }) action!: string;
  @ApiProperty({ type: Boolean, description: 'The action was carried out (live, and the strongest that applied)' }) applied!: boolean;
  @ApiProperty({ type: String }) pattern!: string;
  @ApiProperty(ID_OR_NULL) conversationId!: string | null;
  @ApiProperty({ ...ID_OR_NULL, description: 'Null when the send was blocked (nothing stored)' }) messageId!: string | null;
  @ApiProperty(ID_OR_NULL) questionId!: string | null;
  @ApiProperty(TIME) createdAt!: string;
}

export class HeldRule {
  @ApiProperty(ID_OR_NULL) id!: string | null;
  @ApiProperty({ type: String }) name!: string;
  @ApiProperty({ type: String }) pattern!: string;
  @ApiProperty({ type: String, nullable: true, description: "The rule's policy now (a rejection's default); null once deleted" })
  policy!: string | null;
  @ApiProperty({ type: String, nullable: true }) severity!: string | null;
}

export class HeldRecipient {
  @ApiProperty(ID) id!: string;
  @ApiProperty({ type: String, nullable: true }) handle!: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
}

export class HeldMessage {
  @ApiProperty(ID) id!: string;
  @ApiProperty(ID) conversationId!: string;
  @ApiProperty({ enum: ['direct', 'group', 'room'] }) conversationKind!: string;
  @ApiProperty({ type: 'integer' }) seq!: number;
  @ApiProperty(ID) senderId!: string;
  @ApiProperty({ type: String, nullable: true }) senderHandle!: string | null;
  @ApiProperty({
    type: [HeldRecipient],
    description: "Who it was going to: the conversation's other members who have not left or declined (the first 20 by handle)",
  })
  recipients!: HeldRecipient[];
  @ApiProperty({ type: 'integer', minimum: 0, description: 'How many recipients there are in all' }) recipientCount!: number;
  @ApiProperty({ type: String, nullable: true, description: "The group's or room's title" }) conversationTitle!: string | null;
  @ApiProperty({ type: String, nullable: true }) text!: string | null;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) links!: unknown[];
  @ApiProperty({ enum: ['held', 'visible', 'removed'], description: 'visible once approved, removed once rejected' }) state!: string;
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty({ type: [HeldRule] }) rules!: HeldRule[];
}

// ---- request bodies (validated in RulesService.validateRule, which reports every field) ----

export class RuleBodyDto {
  @ApiPropertyOptional({ type: String, maxLength: 100, example: 'Crypto spam' }) @Allow() name?: unknown;
  @ApiPropertyOptional({ type: Boolean, default: true }) @Allow() enabled?: unknown;
  @ApiPropertyOptional({ enum: RULE_MODES, default: 'live' }) @Allow() mode?: unknown;
  @ApiPropertyOptional({ enum: RULE_KINDS }) @Allow() kind?: unknown;
  @ApiPropertyOptional({ type: [String], example: ['free crypto', 'airdrop*'] }) @Allow() patterns?: unknown;
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', enum: [...RULE_SCOPES] }, example: ['requests'] })
  @Allow()
  appliesTo?: unknown;
  @ApiPropertyOptional({ enum: RULE_ACTIONS }) @Allow() action?: unknown;
  @ApiPropertyOptional({ type: String, maxLength: 500, example: 'Crypto offers are not allowed in requests.' }) @Allow() reason?: unknown;
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'uuid' }, example: ['0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'] })
  @Allow()
  exemptUserIds?: unknown;
  @ApiPropertyOptional({
    type: [String],
    description:
      'The exempt accounts by handle (a leading @ allowed, any case), instead of exemptUserIds: given, they set the list. A handle nobody has: 400 invalid_request naming it; given with exemptUserIds (a rule sent back as read), both must name the same accounts, else 400 invalid_request',
    example: ['@trusted_bot'],
  })
  @Allow()
  exemptHandles?: unknown;
  @ApiPropertyOptional({ type: String, description: "A policy's key (unknown: 400 invalid_request); default 'other'", example: 'spam' })
  @Allow()
  policy?: unknown;
  @ApiPropertyOptional({ type: String, description: "A severity key of that policy; default the policy's first", example: 'low' })
  @Allow()
  severity?: unknown;
}

export class RuleTestDto {
  @ApiProperty({ type: String, maxLength: 4000, example: 'get free crypto at scam.example' }) @Allow() text!: unknown;
  @ApiPropertyOptional({ enum: RULE_KINDS, description: 'A draft rule to test too (not saved)' }) @Allow() kind?: unknown;
  @ApiPropertyOptional({ type: [String], example: ['scam.example'] }) @Allow() patterns?: unknown;
}

const RULE_SORTS = ['name', 'createdAt', 'updatedAt', 'kind', 'action', 'mode', 'enabled', 'id'];
const HIT_SORTS = ['createdAt', 'ruleName', 'scope', 'action', 'mode', 'id'];
const HELD_SORTS = ['createdAt', 'id'];

@ApiTags('admin: rules')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/rules')
export class RulesAdminController {
  constructor(private readonly rules: RulesService) {}

  @Get()
  @ApiOperation({ summary: 'Staff rules (AutoMod), with their hit counts over 24 h and 7 days' })
  @ApiStaffList(Rule, RULE_SORTS)
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'rules', await this.rules.list(parseRaList(query, RULE_SORTS, ['createdAt', 'DESC'])));
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Which rules (and an optional draft rule) match a text: the console tests before saving' })
  @ApiBody({ type: RuleTestDto })
  @ApiOkResponse({ type: RuleTestResult })
  @ApiErrors(INPUT)
  test(@Body() dto: RuleTestDto) {
    return this.rules.test(dto as unknown as Record<string, unknown>);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One rule' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Rule })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.rules.one(id);
  }

  @Post()
  @MinRole('moderator')
  @ApiOperation({ summary: 'Create a rule (moderator); live on every API process within a second; audited' })
  @ApiBody({ type: RuleBodyDto })
  @ApiCreatedResponse({ type: Rule })
  @ApiErrors(INPUT, STAFF_ROLE)
  create(@CurrentStaff() staff: AuthStaff, @Body() dto: RuleBodyDto) {
    return this.rules.create(staff, dto as Record<string, unknown>);
  }

  @Put(':id')
  @MinRole('moderator')
  @ApiOperation({ summary: 'Change a rule (moderator): any subset of its fields; audited' })
  @ApiUuidParam()
  @ApiBody({ type: RuleBodyDto })
  @ApiOkResponse({ type: Rule })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE)
  update(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: RuleBodyDto) {
    return this.rules.update(staff, id, dto as Record<string, unknown>);
  }

  @Delete(':id')
  @MinRole('moderator')
  @ApiOperation({ summary: 'Delete a rule (moderator); its hits stay, with its name; audited' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Rule, description: 'The deleted rule' })
  @ApiErrors(NOT_FOUND, STAFF_ROLE)
  remove(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.rules.remove(staff, id);
  }
}

@ApiTags('admin: rules')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/rule-hits')
export class RuleHitsAdminController {
  constructor(private readonly rules: RulesService) {}

  @Get()
  @ApiOperation({ summary: 'Every rule match, dry-run and live (filter ruleId, userId, mode, action, scope, applied)' })
  @ApiStaffList(RuleHit, HIT_SORTS)
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'rule-hits', await this.rules.hits(parseRaList(query, HIT_SORTS, ['createdAt', 'DESC'])));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One rule hit' })
  @ApiUuidParam()
  @ApiOkResponse({ type: RuleHit })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.rules.hit(id);
  }
}

@ApiTags('admin: rules')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/held-messages')
export class HeldMessagesAdminController {
  constructor(private readonly held: HeldMessagesService) {}

  @Get()
  @ApiOperation({ summary: 'Messages held by a live hold rule, awaiting a decision (audited read: private text)' })
  @ApiStaffList(HeldMessage, HELD_SORTS)
  async list(@CurrentStaff() staff: AuthStaff, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'held-messages', await this.held.list(parseRaList(query, HELD_SORTS, ['createdAt', 'ASC']), staff));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One held (or formerly held) message (audited read)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: HeldMessage })
  @ApiErrors(NOT_FOUND)
  get(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.held.one(id, staff);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({ summary: 'Deliver a held message (moderator): message.created to everyone else who may read it; audited' })
  @ApiUuidParam()
  @ApiOkResponse({ type: HeldMessage })
  @ApiErrors(NOT_FOUND, STAFF_ROLE, { 409: ['conflict'] })
  approve(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.held.approve(staff, id);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({ summary: 'Remove a held message (moderator): removed, reason rule; nobody but its sender ever saw it; audited' })
  @ApiUuidParam()
  @ApiBody({ type: HeldRejectDto, required: false })
  @ApiOkResponse({ type: HeldMessage })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, { 409: ['conflict'] })
  reject(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: HeldRejectDto) {
    return this.held.reject(staff, id, dto?.note?.trim() || null, { policy: dto?.policy, severity: dto?.severity });
  }
}
