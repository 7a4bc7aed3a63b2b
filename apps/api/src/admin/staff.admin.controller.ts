import { Body, Controller, Get, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { StaffService } from '@app/messaging/safety/staff.service';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { StaffCreateDto, StaffUpdateDto } from './admin.dto';
import { sendPage } from './ra-response';

const SORTS = ['createdAt', 'email', 'displayName', 'role', 'disabled', 'id'];

/** Staff accounts: admins only. */
@ApiTags('admin: staff')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@MinRole('admin')
@Controller('admin/v1/staff')
export class StaffAdminController {
  constructor(private readonly staff: StaffService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return sendPage(res, 'staff', await this.staff.list(parseRaList(query, SORTS, ['createdAt', 'DESC'])));
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.staff.one(id);
  }

  @Post()
  create(@CurrentStaff() actor: AuthStaff, @Body() dto: StaffCreateDto) {
    return this.staff.create(actor, dto);
  }

  /** react-admin sends PUT with the writable fields; every field is optional. */
  @Put(':id')
  update(@CurrentStaff() actor: AuthStaff, @Param('id') id: string, @Body() dto: StaffUpdateDto) {
    return this.staff.update(actor, id, dto);
  }

  @Patch(':id')
  patch(@CurrentStaff() actor: AuthStaff, @Param('id') id: string, @Body() dto: StaffUpdateDto) {
    return this.staff.update(actor, id, dto);
  }
}
