import { Body, Controller, Delete, Get, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ForbiddenRole, InvalidRequest } from '@app/messaging/errors';
import { LinkReviewService } from '@app/messaging/safety/link-review.service';
import { BLOCKLIST_KINDS, type BlocklistKind } from '@app/messaging/safety/vocabulary';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { parseRaList } from '../http/list-params';
import { BlocklistCreateDto, LinkLabelDto } from './admin.dto';
import { sendPage } from './ra-response';

const LINK_SORTS = ['lastSeenAt', 'firstSeenAt', 'seenCount', 'url', 'host', 'verdict', 'reason', 'rule', 'overridden', 'scannedAt', 'id'];
const BLOCKLIST_SORTS = ['createdAt', 'pattern', 'kind', 'reason', 'createdBy', 'id'];

@ApiTags('admin: links')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/links')
export class LinksAdminController {
  constructor(private readonly links: LinkReviewService) {}

  @Get()
  async list(@CurrentStaff() staff: AuthStaff, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return sendPage(res, 'links', await this.links.listLinks(parseRaList(query, LINK_SORTS, ['lastSeenAt', 'DESC']), staff));
  }

  /** Audited: a link is a URL a user sent, often privately. */
  @Get(':id')
  get(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.links.oneLink(id, staff);
  }

  /** A staff label (verdict override): triage may label (API.md: "read and label") but not malicious (it removes content); audited. */
  @Put(':id')
  label(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: LinkLabelDto) {
    // A malicious label removes every recent message carrying the link: that is acting, not labelling.
    if (dto.verdict === 'malicious' && staff.role === 'triage') throw new ForbiddenRole('Labelling a link malicious removes content: this needs the moderator role.');
    return this.links.label(id, staff, dto.verdict, dto.reason?.trim() || null);
  }
}

@ApiTags('admin: blocklist')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/blocklist')
export class BlocklistAdminController {
  constructor(private readonly links: LinkReviewService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return sendPage(res, 'blocklist', await this.links.listBlocklist(parseRaList(query, BLOCKLIST_SORTS, ['createdAt', 'DESC'])));
  }

  /** {matches, sample}: link occurrences of the last 7 days the entry would catch (audited: the sample shows URLs users sent). */
  @Get('preview')
  @ApiQuery({ name: 'pattern' })
  @ApiQuery({ name: 'kind', enum: BLOCKLIST_KINDS })
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
  get(@Param('id') id: string) {
    return this.links.oneEntry(id);
  }

  @Post()
  @MinRole('moderator')
  create(@CurrentStaff() staff: AuthStaff, @Body() dto: BlocklistCreateDto) {
    return this.links.addEntry(staff, { pattern: dto.pattern, kind: dto.kind, reason: dto.reason?.trim() || null });
  }

  @Delete(':id')
  @MinRole('moderator')
  remove(@CurrentStaff() staff: AuthStaff, @Param('id') id: string) {
    return this.links.removeEntry(staff, id);
  }
}
