import { Body, Controller, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { ReportsService } from '@app/messaging/safety/reports/reports.service';
import { REPORT_REASONS, SUBJECT_TYPES, type ReportReason, type SubjectType } from '@app/messaging/safety/vocabulary';
import { ApiErrors, INPUT, NOT_FOUND, RATE_LIMITED, USER_AUTH } from '../http/api-docs';
import { CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { EXAMPLE_USER_ID } from './accounts.schemas';
import { ReportCreated } from './safety.schemas';

export class CreateReportDto {
  @ApiProperty({ enum: SUBJECT_TYPES, example: 'user' }) @IsIn(SUBJECT_TYPES) subjectType!: SubjectType;
  @ApiProperty({ type: String, format: 'uuid', example: EXAMPLE_USER_ID }) @IsString() @MaxLength(64) subjectId!: string;
  @ApiProperty({ enum: REPORT_REASONS, example: 'spam' }) @IsIn(REPORT_REASONS) reason!: ReportReason;

  @ApiPropertyOptional({ type: String, maxLength: 1000, example: 'Sends the same link to everyone' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @Matches(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, { message: 'note must not contain control characters' })
  note?: string;

  @ApiPropertyOptional({
    type: Boolean,
    example: true,
    description:
      'Also block the reported user: the sender of a message, the user, the author of a question, the other member of a direct conversation (nobody for a group)',
  })
  @IsOptional()
  @IsBoolean()
  block?: boolean;
}

@ApiTags('reports')
@ApiBearerAuth()
@ApiErrors(USER_AUTH)
@UseGuards(UserAuthGuard)
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** 201 {id}; the same reporter on the same subject again → 200 with the same id. */
  @Post()
  @ApiOperation({
    summary: 'Report a message, user, conversation or question',
    description:
      'A reported message is frozen as evidence. Reporting a pending request as spam also declines it. With block: true the reported user is blocked as well.',
  })
  @ApiCreatedResponse({ type: ReportCreated, description: 'Filed' })
  @ApiOkResponse({ type: ReportCreated, description: 'The same reporter on the same subject again: the same report' })
  @ApiErrors(INPUT, NOT_FOUND, { 403: ['reporting_suspended'], 422: ['cannot_target_self'] }, RATE_LIMITED)
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateReportDto, @Res({ passthrough: true }) res: FastifyReply) {
    const { id, created } = await this.reports.file(user.id, {
      subjectType: dto.subjectType,
      subjectId: dto.subjectId,
      reason: dto.reason,
      note: dto.note?.trim() || null,
      block: dto.block === true,
    });
    res.status(created ? 201 : 200);
    return { id };
  }
}
