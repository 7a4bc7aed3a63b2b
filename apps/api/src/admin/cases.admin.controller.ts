import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CasesService } from '@app/messaging/safety/reports/cases.service';
import { ReportersService } from '@app/messaging/safety/reports/reporters.service';
import { TemplatesService } from '@app/messaging/safety/enforcement/templates.service';
import { parsePeriod, TransparencyService } from '@app/messaging/safety/audit/transparency.service';
import { ApiErrors, ApiStaffList, ApiUuidParam, INPUT, NOT_FOUND, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { CaseAssignDto, CaseMessageDto, ReporterStandingDto, ResolveDto, TemplateCreateDto, TemplateUpdateDto } from './admin.dto';
import {
  Case,
  CaseDetail,
  CaseMessage,
  CaseMessagePage,
  NoticeTemplate,
  ReporterStanding,
  StatementPreview,
  Transparency,
  TransparencyDaily,
} from './admin.schemas';
import { sendPage } from './ra-response';

/** A resolve's body as the services take it (the resolve and its preview read it alike). */
const resolveBody = (dto: ResolveDto) => ({
  action: dto.action,
  durationHours: dto.durationHours,
  note: dto.note?.trim() || null,
  templateId: dto.templateId ?? null,
  policy: dto.policy ?? null,
  severity: dto.severity ?? null,
  facts: dto.facts?.trim() || null,
});

const CASE_SORTS = ['priority', 'createdAt', 'updatedAt', 'status', 'assigneeId', 'resolvedAt', 'id'];
const TEMPLATE_SORTS = ['name', 'createdAt', 'updatedAt', 'id'];

@ApiTags('admin: cases')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/cases')
export class CasesAdminController {
  constructor(private readonly cases: CasesService) {}

  /** The queue by subject user, most urgent first by default. */
  @Get()
  @ApiOperation({ summary: 'The case queue: one open case per subject user, most urgent first by default' })
  @ApiStaffList(Case, CASE_SORTS, 'JSON object, e.g. {"status":"open","subjectUserId":"…","assigneeId":null}')
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'cases', await this.cases.list(parseRaList(query, CASE_SORTS, ['priority', 'DESC'])));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One case with its reports' })
  @ApiUuidParam()
  @ApiOkResponse({ type: CaseDetail })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.cases.one(id);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({ summary: 'Claim a case and its reports (moderator)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Case })
  @ApiErrors(NOT_FOUND, STAFF_ROLE, { 409: ['already_claimed', 'conflict'] })
  claim(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.cases.claim(id, staff);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({ summary: 'Assign a case to a moderator or admin, or back to the queue (moderator)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Case })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, { 409: ['conflict'], 422: ['unprocessable'] })
  assign(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: CaseAssignDto) {
    return this.cases.assign(id, staff, dto.assigneeId);
  }

  /** The same body as a report's resolve; every open report of the case is resolved with one action. */
  @Post(':id/resolve')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({ summary: 'Resolve every open report of the case with one action (moderator); audited' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Case })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, {
    409: ['already_claimed', 'conflict'],
    422: ['unprocessable', 'template_variable_missing', 'template_variable_unknown'],
  })
  resolve(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: ResolveDto) {
    return this.cases.resolve(id, staff, resolveBody(dto));
  }

  /** What the resolve dialog shows before the decision: worded by the resolve's own code, nothing written. */
  @Post(':id/statement-preview')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({
    summary:
      "The statement of reasons (and notice) the case's subject would receive if the case were resolved with this body now (moderator); nothing is written",
  })
  @ApiUuidParam()
  @ApiOkResponse({ type: StatementPreview })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, {
    409: ['conflict'],
    422: ['unprocessable', 'template_variable_missing', 'template_variable_unknown'],
  })
  previewStatement(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: ResolveDto) {
    return this.cases.previewStatement(id, staff, resolveBody(dto));
  }

  @Get(':id/messages')
  @ApiOperation({ summary: "The case's messages to its people and their answers (audited: a staff read of users' private words)" })
  @ApiUuidParam()
  @ApiOkResponse({ type: CaseMessagePage })
  @ApiErrors(NOT_FOUND)
  async messages(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return { items: await this.cases.messages(id, staff) };
  }

  /** Mod mail: the person sees a notice from the team (no staff name) and may answer once. */
  @Post(':id/messages')
  @MinRole('moderator')
  @ApiOperation({ summary: 'Write to the subject or a reporter of the case, from the team (moderator); audited' })
  @ApiUuidParam()
  @ApiCreatedResponse({ type: CaseMessage })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, { 422: ['not_in_case'] })
  send(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: CaseMessageDto) {
    return this.cases.sendMessage(id, staff, { recipientId: dto.recipientId, text: dto.text.trim() });
  }
}

@ApiTags('admin: templates')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/templates')
export class TemplatesAdminController {
  constructor(private readonly templates: TemplatesService) {}

  @Get()
  @ApiOperation({ summary: 'Notice templates' })
  @ApiStaffList(NoticeTemplate, TEMPLATE_SORTS)
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'templates', await this.templates.list(parseRaList(query, TEMPLATE_SORTS, ['name', 'ASC'])));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One notice template' })
  @ApiUuidParam()
  @ApiOkResponse({ type: NoticeTemplate })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.templates.one(id);
  }

  @Post()
  @MinRole('admin')
  @ApiOperation({ summary: 'Create a notice template (admin); audited' })
  @ApiCreatedResponse({ type: NoticeTemplate })
  @ApiErrors(INPUT, STAFF_ROLE, { 422: ['template_variable_unknown'] })
  create(@CurrentStaff() staff: AuthStaff, @Body() dto: TemplateCreateDto) {
    return this.templates.create(staff, { name: dto.name.trim(), body: dto.body, facts: dto.facts?.trim() || null });
  }

  @Put(':id')
  @MinRole('admin')
  @ApiOperation({ summary: 'Edit a notice template (admin); audited with the text before and after' })
  @ApiUuidParam()
  @ApiOkResponse({ type: NoticeTemplate })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, { 422: ['template_variable_unknown'] })
  update(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: TemplateUpdateDto) {
    return this.templates.update(staff, id, {
      name: dto.name?.trim(),
      body: dto.body,
      ...(dto.facts !== undefined ? { facts: dto.facts?.trim() || null } : {}),
    });
  }

  @Delete(':id')
  @MinRole('admin')
  @ApiOperation({ summary: 'Delete a notice template (admin); audited' })
  @ApiUuidParam()
  @ApiOkResponse({ type: NoticeTemplate })
  @ApiErrors(NOT_FOUND, STAFF_ROLE)
  remove(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.templates.remove(staff, id);
  }
}

@ApiTags('admin: reporters')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/users/:id/reporter')
export class ReportersAdminController {
  constructor(private readonly reporters: ReportersService) {}

  @Get()
  @ApiOperation({ summary: "A user's standing as a reporter: accuracy, trusted flagger, muted" })
  @ApiUuidParam()
  @ApiOkResponse({ type: ReporterStanding })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.reporters.standing(id);
  }

  /** trustedFlagger: admins only; muted: moderators and up. */
  @Put()
  @MinRole('moderator')
  @ApiOperation({ summary: 'Set trusted flagger (admin) or mute a reporter (moderator); audited' })
  @ApiUuidParam()
  @ApiOkResponse({ type: ReporterStanding })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE)
  set(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: ReporterStandingDto) {
    return this.reporters.set(staff, id, { trustedFlagger: dto.trustedFlagger, muted: dto.muted });
  }
}

@ApiTags('admin: transparency')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/transparency')
export class TransparencyAdminController {
  constructor(private readonly transparency: TransparencyService) {}

  @Get()
  @MinRole('admin')
  @ApiOperation({ summary: 'Transparency counts of a period (admin): reports, actions, appeals, median time to action' })
  @ApiQuery({
    name: 'from',
    required: false,
    schema: { type: 'string', format: 'date-time' },
    description: 'Inclusive; default: 30 days before `to`',
  })
  @ApiQuery({ name: 'to', required: false, schema: { type: 'string', format: 'date-time' }, description: 'Exclusive; default: now' })
  @ApiOkResponse({ type: Transparency })
  @ApiErrors(INPUT, STAFF_ROLE)
  get(@Query('from') from: unknown, @Query('to') to: unknown) {
    const period = parsePeriod(from, to);
    return this.transparency.report(period.from, period.to);
  }

  @Get('daily')
  @MinRole('admin')
  @ApiOperation({ summary: 'The same counts per UTC day (admin): reports by reason, actions by type, median time to action' })
  @ApiQuery({
    name: 'from',
    required: false,
    schema: { type: 'string', format: 'date-time' },
    description: 'Inclusive; default: 30 days before `to`; at most 366 days before `to`',
  })
  @ApiQuery({ name: 'to', required: false, schema: { type: 'string', format: 'date-time' }, description: 'Exclusive; default: now' })
  @ApiOkResponse({ type: TransparencyDaily })
  @ApiErrors(INPUT, STAFF_ROLE)
  daily(@Query('from') from: unknown, @Query('to') to: unknown) {
    const period = parsePeriod(from, to);
    return this.transparency.daily(period.from, period.to);
  }
}
