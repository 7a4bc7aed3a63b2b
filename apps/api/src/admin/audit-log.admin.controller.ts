import { Controller, Delete, Get, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStaffList, NOT_FOUND, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import type { FastifyReply } from 'fastify';
import { MethodNotAllowed } from '@app/messaging/errors';
import { AuditLogService } from '@app/messaging/audit/audit-log.service';
import { MinRole, StaffAuthGuard } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { sendPage } from './ra-response';
import { AuditEntry, AuditVerification } from './admin.schemas';

const SORTS = ['id', 'createdAt', 'action', 'staffId', 'seq'];
const readOnly = () => new MethodNotAllowed('The audit log is append-only: nobody can create, edit or delete its entries.');

/** Read-only for everyone, admins included; the table itself refuses UPDATE and DELETE too. */
@ApiTags('admin: audit log')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/audit-log')
export class AuditLogAdminController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  @ApiOperation({ summary: 'The append-only audit log of staff reads and actions' })
  @ApiStaffList(AuditEntry, SORTS)
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'audit-log', await this.audit.list(parseRaList(query, SORTS, ['id', 'DESC'])));
  }

  /** {ok: true, entries} or {ok: false, firstBrokenId, reason}: the hash chain recomputed (admins, like staff accounts: 403 forbidden_role below). */
  @Get('verify')
  @ApiOperation({ summary: 'Recompute the hash chain: is every stored entry intact? (admin)' })
  @ApiOkResponse({ type: AuditVerification })
  @ApiErrors(STAFF_ROLE)
  @MinRole('admin')
  verify() {
    return this.audit.verify();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One audit entry' })
  @ApiParam({ name: 'id', schema: { type: 'string', pattern: '^\\d{1,18}$' } })
  @ApiOkResponse({ type: AuditEntry })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.audit.one(id);
  }

  // Each verb needs its own handler (a second method decorator would replace the first).
  // Left out of the OpenAPI document: they only ever answer 405, no client should call them.
  @Post()
  @ApiExcludeEndpoint()
  create(): never {
    throw readOnly();
  }

  @Post(':id')
  @ApiExcludeEndpoint()
  post(): never {
    throw readOnly();
  }

  @Put(':id')
  @ApiExcludeEndpoint()
  replace(): never {
    throw readOnly();
  }

  @Patch(':id')
  @ApiExcludeEndpoint()
  edit(): never {
    throw readOnly();
  }

  @Delete(':id')
  @ApiExcludeEndpoint()
  remove(): never {
    throw readOnly();
  }

  @Put()
  @ApiExcludeEndpoint()
  replaceAll(): never {
    throw readOnly();
  }

  @Patch()
  @ApiExcludeEndpoint()
  editAll(): never {
    throw readOnly();
  }

  @Delete()
  @ApiExcludeEndpoint()
  removeAll(): never {
    throw readOnly();
  }
}
