import { Body, Controller, Delete, Get, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStaffList, ApiUuidParam, INPUT, NOT_FOUND, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import type { FastifyReply } from 'fastify';
import { ForbiddenRole, InvalidRequest } from '@app/messaging/errors';
import { LinkReviewService } from '@app/messaging/safety/reports/link-review.service';
import { BLOCKLIST_KINDS, type BlocklistKind } from '@app/messaging/safety/vocabulary';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { BlocklistCreateDto, LinkLabelDto } from './admin.dto';
import { sendPage } from './ra-response';
import { BlocklistEntry, BlocklistPreview, LinkRecord } from './admin.schemas';

const LINK_SORTS = ['lastSeenAt', 'firstSeenAt', 'seenCount', 'url', 'host', 'verdict', 'reason', 'rule', 'overridden', 'scannedAt', 'id'];
const BLOCKLIST_SORTS = ['createdAt', 'pattern', 'kind', 'reason', 'createdBy', 'id'];

@ApiTags('admin: links')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/links')
export class LinksAdminController {
  constructor(private readonly links: LinkReviewService) {}

  @Get()
  @ApiOperation({ summary: 'Links seen in messages and questions, with their verdicts (audited read)' })
  @ApiStaffList(LinkRecord, LINK_SORTS)
  async list(@CurrentStaff() staff: AuthStaff, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'links', await this.links.listLinks(parseRaList(query, LINK_SORTS, ['lastSeenAt', 'DESC']), staff));
  }

  /** Audited: a link is a URL a user sent, often privately. */
  @Get(':id')
  @ApiOperation({ summary: 'One link (audited read)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: LinkRecord })
  @ApiErrors(NOT_FOUND)
  get(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.links.oneLink(id, staff);
  }

  /** A staff label (verdict override): triage may label (API.md: "read and label") but not malicious (it removes content); audited. */
  @Put(':id')
  @ApiOperation({ summary: "Label a link's verdict (malicious needs moderator: it removes content)" })
  @ApiUuidParam()
  @ApiOkResponse({ type: LinkRecord })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE)
  label(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: LinkLabelDto) {
    // A malicious label removes every recent message carrying the link: that is acting, not labelling.
    if (dto.verdict === 'malicious' && staff.role === 'triage')
      throw new ForbiddenRole('Labelling a link malicious removes content: this needs the moderator role.');
    return this.links.label(id, staff, dto.verdict, dto.reason?.trim() || null);
  }
}

@ApiTags('admin: blocklist')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/blocklist')
export class BlocklistAdminController {
  constructor(private readonly links: LinkReviewService) {}

  @Get()
  @ApiOperation({ summary: 'Blocklist entries' })
  @ApiStaffList(BlocklistEntry, BLOCKLIST_SORTS)
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply) {
    return sendPage(res, 'blocklist', await this.links.listBlocklist(parseRaList(query, BLOCKLIST_SORTS, ['createdAt', 'DESC'])));
  }

  /** {matches, sample}: link occurrences of the last 7 days the entry would catch (audited: the sample shows URLs users sent). */
  @Get('preview')
  @ApiOperation({ summary: 'What an entry would catch, before adding it (audited read)' })
  @ApiQuery({ name: 'pattern', required: true, schema: { type: 'string', minLength: 1, maxLength: 2048, example: 'bad.example' } })
  @ApiQuery({ name: 'kind', required: false, schema: { type: 'string', enum: [...BLOCKLIST_KINDS], default: 'domain' } })
  @ApiOkResponse({ type: BlocklistPreview })
  @ApiErrors(INPUT)
  preview(@CurrentStaff() staff: AuthStaff, @Query('pattern') pattern: unknown, @Query('kind') kind: unknown) {
    if (typeof pattern !== 'string' || pattern.trim() === '' || pattern.length > 2048) {
      throw new InvalidRequest('pattern is required.', [{ field: 'pattern', problems: ['required'] }]);
    }
    const k = kind === undefined || kind === '' ? 'domain' : kind;
    if (typeof k !== 'string' || !(BLOCKLIST_KINDS as readonly string[]).includes(k)) {
      throw new InvalidRequest('kind must be domain or url.', [{ field: 'kind', problems: ['domain|url'] }]);
    }
    return this.links.preview(k as BlocklistKind, pattern, staff);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One blocklist entry' })
  @ApiUuidParam()
  @ApiOkResponse({ type: BlocklistEntry })
  @ApiErrors(NOT_FOUND)
  get(@Param('id') id: string) {
    return this.links.oneEntry(id);
  }

  @Post()
  @MinRole('moderator')
  @ApiOperation({ summary: 'Add a blocklist entry (moderator); verdicts follow it from then on' })
  @ApiCreatedResponse({ type: BlocklistEntry })
  @ApiErrors(INPUT, STAFF_ROLE, { 409: ['conflict'] })
  create(@CurrentStaff() staff: AuthStaff, @Body() dto: BlocklistCreateDto) {
    return this.links.addEntry(staff, { pattern: dto.pattern, kind: dto.kind, reason: dto.reason?.trim() || null });
  }

  @Delete(':id')
  @MinRole('moderator')
  @ApiOperation({ summary: 'Remove a blocklist entry (moderator)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: BlocklistEntry, description: 'The removed entry' })
  @ApiErrors(NOT_FOUND, STAFF_ROLE)
  remove(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.links.removeEntry(staff, id);
  }
}
