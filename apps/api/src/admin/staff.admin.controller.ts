import { Body, Controller, Get, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStaffList, ApiUuidParam, INPUT, NOT_FOUND, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import type { FastifyReply } from 'fastify';
import { StaffService } from '@app/messaging/safety/staff/staff.service';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { StaffCreateDto, StaffUpdateDto } from './admin.dto';
import { sendPage } from './ra-response';
import { StaffMember } from './admin.schemas';

const SORTS = ['createdAt', 'email', 'displayName', 'role', 'disabled', 'id'];

/** Staff accounts: admins only. */
@ApiTags('admin: staff')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH, STAFF_ROLE)
@UseGuards(StaffAuthGuard)
@MinRole('admin')
@Controller('admin/v1/staff')
export class StaffAdminController {
  constructor(private readonly staff: StaffService) {}

  @Get()
  @ApiOperation({ summary: 'Staff accounts (admin)' })
  @ApiStaffList(StaffMember, SORTS)
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'staff', await this.staff.list(parseRaList(query, SORTS, ['createdAt', 'DESC'])));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One staff account (admin)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: StaffMember })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.staff.one(id);
  }

  @Post()
  @ApiOperation({ summary: 'Create a staff account (admin)' })
  @ApiCreatedResponse({ type: StaffMember })
  @ApiErrors(INPUT, { 409: ['email_taken'] })
  create(@CurrentStaff() actor: AuthStaff, @Body() dto: StaffCreateDto) {
    return this.staff.create(actor, dto);
  }

  /** react-admin sends PUT with the writable fields; every field is optional. */
  @Put(':id')
  @ApiOperation({ summary: 'Update a staff account (admin); every field optional' })
  @ApiUuidParam()
  @ApiOkResponse({ type: StaffMember })
  @ApiErrors(INPUT, NOT_FOUND, { 409: ['email_taken'], 422: ['unprocessable'] })
  update(@CurrentStaff() actor: AuthStaff, @Param('id') id: string, @Body() dto: StaffUpdateDto) {
    return this.staff.update(actor, id, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update part of a staff account (admin)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: StaffMember })
  @ApiErrors(INPUT, NOT_FOUND, { 409: ['email_taken'], 422: ['unprocessable'] })
  patch(@CurrentStaff() actor: AuthStaff, @Param('id') id: string, @Body() dto: StaffUpdateDto) {
    return this.staff.update(actor, id, dto);
  }
}
