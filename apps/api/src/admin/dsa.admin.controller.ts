import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parsePeriod } from '@app/messaging/safety/audit/transparency.service';
import { TdbStatementsService } from '@app/messaging/safety/dsa/tdb-statements.service';
import { ApiErrors, INPUT, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import { MinRole, StaffAuthGuard } from '../http/auth';
import { TdbStatements } from './dsa.schemas';

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
