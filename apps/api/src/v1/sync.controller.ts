import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { InvalidCursor, InvalidRequest } from '@app/messaging/errors';
import { EventsService, type SyncStream } from '@app/messaging/events/events.service';
import { ApiErrors, INPUT, USER_AUTH } from '../http/api-docs';
import { CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { SYNC_EVENT_MODELS, SyncPage } from './sync.schemas';

const MAX_SYNC_LIMIT = 500;

/** `?limit=` for sync: 1..500, default 500 (a reconnecting client wants big pages). */
function parseSyncLimit(raw: unknown): number {
  if (raw === undefined || raw === '') return MAX_SYNC_LIMIT;
  const n = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_SYNC_LIMIT)) {
    throw new InvalidRequest(`limit must be a whole number from 1 to ${MAX_SYNC_LIMIT}.`, [
      { field: 'limit', problems: [`1..${MAX_SYNC_LIMIT}`] },
    ]);
  }
  return n;
}

/** `?stream=`: v1 (default) or positions. */
function parseStream(raw: unknown): SyncStream {
  if (raw === undefined || raw === '' || raw === 'v1') return 'v1';
  if (raw === 'positions') return 'positions';
  throw new InvalidRequest('stream is "v1" (the default) or "positions".', [{ field: 'stream', problems: ['v1 | positions'] }]);
}

@ApiTags('sync')
@ApiBearerAuth()
@ApiErrors(USER_AUTH)
@ApiExtraModels(...SYNC_EVENT_MODELS)
@UseGuards(UserAuthGuard)
@Controller('v1/sync')
export class SyncController {
  constructor(private readonly events: EventsService) {}

  /**
   * Every event for me after `cursor`, in order: `{events, cursor, hasMore}`. Without a
   * cursor: no events and the current cursor ("from now on"). 400 invalid_cursor for a
   * cursor that was never issued, 410 cursor_expired once it is older than the retention.
   */
  @Get()
  @ApiOperation({ summary: 'Every event for me after a cursor, in order (reconnect and catch up)' })
  @ApiQuery({
    name: 'cursor',
    required: false,
    schema: { type: 'string', maxLength: 500 },
    description: "The last cursor seen (an event's or a page's); without it: no events, and the current cursor",
  })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 500 } })
  @ApiQuery({
    name: 'stream',
    required: false,
    schema: { type: 'string', enum: ['v1', 'positions'], default: 'v1' },
    description:
      'positions: cursors are stream positions (`p1.…`, docs/API.md §6), for a client that keeps the positions it applied live; a `p1.` cursor implies it',
  })
  @ApiOkResponse({ type: SyncPage })
  @ApiErrors(INPUT, { 400: ['invalid_cursor'], 410: ['cursor_expired'] })
  async sync(
    @CurrentUser() user: AuthUser,
    @Query('cursor') cursor: unknown,
    @Query('limit') limit: unknown,
    @Query('stream') stream: unknown,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    if (cursor !== undefined && typeof cursor !== 'string') throw new InvalidCursor();
    const page = await this.events.sync(user.id, cursor, parseSyncLimit(limit), parseStream(stream));
    // The JSON Fastify would send, encoded once: a page of 500 events is ~200 KB, and a string
    // body is scanned for its byte length before it is encoded again on the way out.
    res.type('application/json; charset=utf-8');
    return Buffer.from(JSON.stringify(page));
  }
}
