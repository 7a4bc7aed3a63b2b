import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStaffList, ApiUuidParam, INPUT, NOT_FOUND, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import type { FastifyReply } from 'fastify';
import { ReportsService } from '@app/messaging/safety/reports/reports.service';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { BulkResolveDto, NoteDto, ResolveDto } from './admin.dto';
import { sendPage } from './ra-response';
import { BulkResolveResult, Report, StatementPreview } from './admin.schemas';

const SORTS = [
  'priority',
  'createdAt',
  'dueAt',
  'status',
  'reason',
  'subjectType',
  'source',
  'assigneeId',
  'claimedAt',
  'resolvedAt',
  'id',
];

@ApiTags('admin: reports')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/reports')
export class ReportsAdminController {
  constructor(private readonly reports: ReportsService) {}

  /** The queue, most urgent first by default (severity, reporters, reporter accuracy, age). */
  @Get()
  @ApiOperation({ summary: 'The report queue, most urgent first by default' })
  @ApiStaffList(Report, SORTS, 'JSON object, e.g. {"status":"open","subjectId":"…"}')
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'reports', await this.reports.list(parseRaList(query, SORTS, ['priority', 'DESC'])));
  }

  @Post('bulk-resolve')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({ summary: 'Resolve many reports with one action (moderator)' })
  @ApiOkResponse({ type: BulkResolveResult })
  @ApiErrors(INPUT, STAFF_ROLE, { 409: ['conflict'], 422: ['unprocessable', 'template_variable_missing', 'template_variable_unknown'] })
  bulkResolve(@CurrentStaff() staff: AuthStaff, @Body() dto: BulkResolveDto) {
    return this.reports.bulkResolve(dto.ids, staff, {
      action: dto.action,
      durationHours: dto.durationHours,
      note: dto.note ?? null,
      templateId: dto.templateId ?? null,
      policy: dto.policy ?? null,
      severity: dto.severity ?? null,
      facts: dto.facts?.trim() || null,
    });
  }

  /** One report with its frozen evidence (audited: a staff read of message content). */
  @Get(':id')
  @ApiOperation({ summary: 'One report with its frozen evidence (audited)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Report })
  @ApiErrors(NOT_FOUND)
  get(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.reports.read(id, staff);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({ summary: 'Claim a report (moderator)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Report })
  @ApiErrors(NOT_FOUND, STAFF_ROLE, { 409: ['already_claimed', 'conflict'] })
  claim(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.reports.claim(id, staff);
  }

  @Post(':id/escalate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Escalate a report' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Report })
  @ApiErrors(INPUT, NOT_FOUND, { 409: ['conflict'] })
  escalate(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.reports.escalate(id, staff, dto.note?.trim() || null);
  }

  /** What the resolve dialog shows before the decision: worded by the resolve's own code, nothing written. */
  @Post(':id/statement-preview')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({
    summary:
      "The statement of reasons (and notice) the report's subject would receive if it were resolved with this body now (moderator); nothing is written",
  })
  @ApiUuidParam()
  @ApiOkResponse({ type: StatementPreview })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, {
    409: ['already_claimed', 'conflict'],
    422: ['unprocessable', 'template_variable_missing', 'template_variable_unknown'],
  })
  previewStatement(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: ResolveDto) {
    return this.reports.previewStatement(id, staff, {
      action: dto.action,
      durationHours: dto.durationHours,
      note: dto.note?.trim() || null,
      templateId: dto.templateId ?? null,
      policy: dto.policy ?? null,
      severity: dto.severity ?? null,
      facts: dto.facts?.trim() || null,
    });
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({ summary: 'Resolve a report with an action (moderator); audited' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Report })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, {
    409: ['conflict'],
    422: ['unprocessable', 'template_variable_missing', 'template_variable_unknown'],
  })
  resolve(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: ResolveDto) {
    return this.reports.resolve(id, staff, {
      action: dto.action,
      durationHours: dto.durationHours,
      note: dto.note?.trim() || null,
      templateId: dto.templateId ?? null,
      policy: dto.policy ?? null,
      severity: dto.severity ?? null,
      facts: dto.facts?.trim() || null,
    });
  }
}
