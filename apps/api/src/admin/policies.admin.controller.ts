import { Body, Controller, Delete, Get, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { STATEMENT_CATEGORIES } from '@app/messaging/safety/enforcement/dsa-vocabulary';
import { PoliciesService } from '@app/messaging/safety/enforcement/policies.service';
import { ApiErrors, ApiStaffList, ApiUuidParam, INPUT, NOT_FOUND, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { Policy, PolicySeverity } from './admin.schemas';
import { sendPage } from './ra-response';

/** A policy as written (validated in policies.ts validatePolicy, which reports every field). */
export class PolicyBodyDto {
  @ApiPropertyOptional({ type: String, pattern: '^[a-z0-9_]{2,40}$', description: 'Required on create; cannot change', example: 'doxxing' })
  @Allow()
  key?: unknown;
  @ApiPropertyOptional({ type: String, maxLength: 100, example: 'Sharing private information' }) @Allow() title?: unknown;
  @ApiPropertyOptional({
    type: String,
    maxLength: 2000,
    example: "Publishing someone's address, phone number or documents without consent.",
  })
  @Allow()
  description?: unknown;
  @ApiPropertyOptional({ enum: STATEMENT_CATEGORIES, example: 'STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS' })
  @Allow()
  category?: unknown;
  @ApiPropertyOptional({
    type: [PolicySeverity],
    minItems: 1,
    maxItems: 10,
    description: 'Mildest first',
    example: [
      { key: 'low', strikes: 1, expiryDays: 90, suggestedAction: 'warn' },
      { key: 'high', strikes: 3, expiryDays: 180, suggestedAction: 'suspend' },
    ],
  })
  @Allow()
  severities?: unknown;
}

const POLICY_SORTS = ['key', 'title', 'category', 'createdAt', 'updatedAt', 'id'];

@ApiTags('admin: policies')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/policies')
export class PoliciesAdminController {
  constructor(private readonly policies: PoliciesService) {}

  @Get()
  @ApiOperation({ summary: 'Policies decisions name: key, title, DSA category, severities (every staff role)' })
  @ApiStaffList(Policy, POLICY_SORTS)
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'policies', await this.policies.list(parseRaList(query, POLICY_SORTS, ['key', 'ASC'])));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One policy' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Policy })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.policies.one(id);
  }

  @Post()
  @MinRole('admin')
  @ApiOperation({ summary: 'Create a policy (admin); a key that exists is 409 conflict; audited' })
  @ApiBody({ type: PolicyBodyDto })
  @ApiCreatedResponse({ type: Policy })
  @ApiErrors(INPUT, STAFF_ROLE, { 409: ['conflict'] })
  create(@CurrentStaff() staff: AuthStaff, @Body() dto: PolicyBodyDto) {
    return this.policies.create(staff, dto as Record<string, unknown>);
  }

  @Put(':id')
  @MinRole('admin')
  @ApiOperation({ summary: 'Edit a policy (admin): any of title, description, category, severities (the key stays); audited' })
  @ApiUuidParam()
  @ApiBody({ type: PolicyBodyDto })
  @ApiOkResponse({ type: Policy })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE)
  update(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: PolicyBodyDto) {
    return this.policies.update(staff, id, dto as Record<string, unknown>);
  }

  @Delete(':id')
  @MinRole('admin')
  @ApiOperation({ summary: 'Delete a policy (admin): not a default one, nor one a rule names (409 conflict); audited' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Policy, description: 'The deleted policy' })
  @ApiErrors(NOT_FOUND, STAFF_ROLE, { 409: ['conflict'] })
  remove(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.policies.remove(staff, id);
  }
}
