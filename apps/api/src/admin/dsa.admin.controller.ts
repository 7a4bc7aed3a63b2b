import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parsePeriod } from '@app/messaging/safety/audit/transparency.service';
import { TdbStatementsService } from '@app/messaging/safety/dsa/tdb-statements.service';
import { ReportersService } from '@app/messaging/safety/reports/reporters.service';
import { ApiErrors, ApiUuidParam, INPUT, NOT_FOUND, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { ReportingSuspensionDto, TrustedFlaggerDto } from './dsa.dto';
import { ReporterPrecision, ReportingSuspensionResult, TdbStatements, TrustedFlagger } from './dsa.schemas';

@ApiTags('admin: transparency')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/transparency/statements')
export class TdbStatementsAdminController {
  constructor(private readonly statements: TdbStatementsService) {}

  @Get()
  @MinRole('admin')
  @ApiOperation({
    summary: 'Statements of reasons of a period (admin), in the EU DSA Transparency Database format',
    description: 'One per decision taken in the period; field names and values as the database API takes them; no personal data.',
  })
  @ApiQuery({
    name: 'from',
    required: false,
    schema: { type: 'string', format: 'date-time' },
    description: 'Inclusive; default: 30 days before `to`',
  })
  @ApiQuery({ name: 'to', required: false, schema: { type: 'string', format: 'date-time' }, description: 'Exclusive; default: now' })
  @ApiOkResponse({ type: TdbStatements })
  @ApiErrors(INPUT, STAFF_ROLE)
  list(@Query('from') from: unknown, @Query('to') to: unknown) {
    const period = parsePeriod(from, to);
    return this.statements.statements(period.from, period.to);
  }
}

@ApiTags('admin: reporters')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/trusted-flaggers')
export class TrustedFlaggersAdminController {
  constructor(private readonly reporters: ReportersService) {}

  @Put(':userId')
  @MinRole('admin')
  @ApiOperation({
    summary: 'Designate a trusted flagger (admin, DSA Art. 22); audited',
    description:
      'Their reports from now on: source trusted_flagger, a quarter of the usual first-response time, their case first in the queue.',
  })
  @ApiUuidParam('userId')
  @ApiOkResponse({ type: TrustedFlagger })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE)
  put(@CurrentStaff() staff: AuthStaff, @Param('userId') userId: string, @Body() dto: TrustedFlaggerDto) {
    return this.reporters.designateTrustedFlagger(staff, userId, dto.name.trim());
  }

  @Delete(':userId')
  @MinRole('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'End a trusted flagger designation (admin); reports already filed keep their source; audited' })
  @ApiUuidParam('userId')
  @ApiNoContentResponse()
  @ApiErrors(NOT_FOUND, STAFF_ROLE)
  async remove(@CurrentStaff() staff: AuthStaff, @Param('userId') userId: string) {
    await this.reporters.revokeTrustedFlagger(staff, userId);
  }
}

@ApiTags('admin: reporters')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/reporters')
export class ReporterPrecisionAdminController {
  constructor(private readonly reporters: ReportersService) {}

  @Get(':userId')
  @MinRole('moderator')
  @ApiOperation({ summary: "A reporter's precision (moderator and up, DSA Art. 23): reports, upheld, dismissed, precision" })
  @ApiUuidParam('userId')
  @ApiOkResponse({ type: ReporterPrecision })
  @ApiErrors(NOT_FOUND, STAFF_ROLE)
  get(@Param('userId') userId: string) {
    return this.reporters.precision(userId);
  }
}

@ApiTags('admin: reporters')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/users')
export class ReportingSuspensionAdminController {
  constructor(private readonly reporters: ReportersService) {}

  @Post(':id/reporting-suspension')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({
    summary: 'Suspend reporting (moderator, DSA Art. 23): after a warning under unfounded_reports, no reports for `days`',
    description: 'Gives them a notice with a statement of reasons; meanwhile POST /v1/reports answers 403 reporting_suspended.',
  })
  @ApiUuidParam()
  @ApiOkResponse({ type: ReportingSuspensionResult })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, { 409: ['warning_required'] })
  suspend(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: ReportingSuspensionDto) {
    return this.reporters.suspendReporting(staff, id, {
      days: dto.days,
      note: dto.note.trim() || null,
      policy: dto.policy,
      severity: dto.severity,
    });
  }
}
