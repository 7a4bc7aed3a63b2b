import { Body, Controller, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { ReportsService } from '@app/messaging/safety/reports.service';
import { REPORT_REASONS, SUBJECT_TYPES, type ReportReason, type SubjectType } from '@app/messaging/safety/vocabulary';
import { CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';

export class CreateReportDto {
  @ApiProperty({ enum: SUBJECT_TYPES }) @IsIn(SUBJECT_TYPES) subjectType!: SubjectType;
  @ApiProperty() @IsString() @MaxLength(64) subjectId!: string;
  @ApiProperty({ enum: REPORT_REASONS }) @IsIn(REPORT_REASONS) reason!: ReportReason;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @Matches(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, { message: 'note must not contain control characters' })
  note?: string;
}

@ApiTags('reports')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** 201 {id}; the same reporter on the same subject again → 200 with the same id. */
  @Post()
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateReportDto, @Res({ passthrough: true }) res: Response) {
    const { id, created } = await this.reports.file(user.id, {
      subjectType: dto.subjectType,
      subjectId: dto.subjectId,
      reason: dto.reason,
      note: dto.note?.trim() || null,
    });
    res.status(created ? 201 : 200);
    return { id };
  }
}
