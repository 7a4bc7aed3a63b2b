import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReportsService } from '@app/messaging/safety/reports.service';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { BulkResolveDto, NoteDto, ResolveDto } from './admin.dto';
import { sendPage } from './ra-response';

const SORTS = ['priority', 'createdAt', 'dueAt', 'status', 'reason', 'subjectType', 'source', 'assigneeId', 'claimedAt', 'resolvedAt', 'id'];

@ApiTags('admin: reports')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/reports')
export class ReportsAdminController {
  constructor(private readonly reports: ReportsService) {}

  /** The queue, most urgent first by default (severity, reporters, reporter accuracy, age). */
  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return sendPage(res, 'reports', await this.reports.list(parseRaList(query, SORTS, ['priority', 'DESC'])));
  }

  @Post('bulk-resolve')
  @HttpCode(200)
  @MinRole('moderator')
  bulkResolve(@CurrentStaff() staff: AuthStaff, @Body() dto: BulkResolveDto) {
    return this.reports.bulkResolve(dto.ids, staff, { action: dto.action, durationHours: dto.durationHours, note: dto.note ?? null });
  }

  /** One report with its frozen evidence (audited: a staff read of message content). */
  @Get(':id')
  get(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.reports.read(id, staff);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @MinRole('moderator')
  claim(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.reports.claim(id, staff);
  }

  @Post(':id/escalate')
  @HttpCode(200)
  escalate(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.reports.escalate(id, staff, dto.note?.trim() || null);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @MinRole('moderator')
  resolve(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: ResolveDto) {
    return this.reports.resolve(id, staff, { action: dto.action, durationHours: dto.durationHours, note: dto.note?.trim() || null });
  }
}
