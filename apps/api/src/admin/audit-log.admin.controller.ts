import { Controller, Delete, Get, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { MethodNotAllowed } from '@app/messaging/errors';
import { AuditLogService } from '@app/messaging/safety/audit-log.service';
import { MinRole, StaffAuthGuard } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { sendPage } from './ra-response';

const SORTS = ['id', 'createdAt', 'action', 'staffId', 'seq'];
const readOnly = () => new MethodNotAllowed('The audit log is append-only: nobody can create, edit or delete its entries.');

/** Read-only for everyone, admins included; the table itself refuses UPDATE and DELETE too. */
@ApiTags('admin: audit log')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/audit-log')
export class AuditLogAdminController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return sendPage(res, 'audit-log', await this.audit.list(parseRaList(query, SORTS, ['id', 'DESC'])));
  }

  /** {ok: true, entries} or {ok: false, firstBrokenId, reason}: the hash chain recomputed (admins, like staff accounts: 403 forbidden_role below). */
  @Get('verify')
  @MinRole('admin')
  verify() {
    return this.audit.verify();
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.audit.one(id);
  }

  // Each verb needs its own handler (a second method decorator would replace the first).
  @Post()
  create(): never {
    throw readOnly();
  }

  @Post(':id')
  post(): never {
    throw readOnly();
  }

  @Put(':id')
  replace(): never {
    throw readOnly();
  }

  @Patch(':id')
  edit(): never {
    throw readOnly();
  }

  @Delete(':id')
  remove(): never {
    throw readOnly();
  }

  @Put()
  replaceAll(): never {
    throw readOnly();
  }

  @Patch()
  editAll(): never {
    throw readOnly();
  }

  @Delete()
  removeAll(): never {
    throw readOnly();
  }
}
