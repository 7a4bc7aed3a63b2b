import { Controller, Get, HttpCode, Param, Post, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ExportsService } from '@app/messaging/exports/exports.service';
import { ApiErrors, ApiUuidParam, NOT_FOUND, RATE_LIMITED, USER_AUTH } from '../http/api-docs';
import { CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { DataExport, DataExportArchive } from './exports.schemas';

@ApiTags('me')
@ApiBearerAuth()
@ApiErrors(USER_AUTH)
@UseGuards(UserAuthGuard)
@Controller('v1/me/export')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Ask for an export of my data',
    description: 'Written in the background; poll GET /v1/me/export/{id}. One a day (429 rate_limited with Retry-After).',
  })
  @ApiAcceptedResponse({ type: DataExport })
  @ApiErrors(RATE_LIMITED)
  request(@CurrentUser() user: AuthUser) {
    return this.exports.request(user.id);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An export of mine: its status, and its download path once ready' })
  @ApiUuidParam()
  @ApiOkResponse({ type: DataExport })
  @ApiErrors(NOT_FOUND)
  status(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.exports.status(user.id, id);
  }

  /** Streamed from the stored chunks, so any API process serves it and none holds it whole. */
  @Get(':id/archive')
  @ApiOperation({ summary: 'Download a ready export (the owner only; anyone else: 404)' })
  @ApiUuidParam()
  @ApiProduces('application/json')
  @ApiOkResponse({ type: DataExportArchive })
  @ApiErrors(NOT_FOUND)
  async archive(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    const file = await this.exports.download(user.id, id);
    return new StreamableFile(file.stream, {
      type: 'application/json; charset=utf-8',
      length: file.size,
      disposition: `attachment; filename="backchannel-export-${id}.json"`,
    });
  }
}
