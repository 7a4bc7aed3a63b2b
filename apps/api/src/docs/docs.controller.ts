import { Controller, Get, Module, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFound } from '@app/messaging/errors';
import { ApiErrors, NOT_FOUND } from '../http/api-docs';
import { buildAsyncApi } from './asyncapi';
import { Published } from './published';

/** Own scripts only, never framed; React sets inline styles, hence 'unsafe-inline' for styles only. */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function webSecurityHeaders(res: { header(name: string, value: string): unknown }): void {
  res.header('Content-Security-Policy', WEB_CSP);
  res.header('X-Frame-Options', 'DENY');
  res.header('X-Content-Type-Options', 'nosniff');
  res.header('Referrer-Policy', 'no-referrer');
}

class AsyncApiInfo {
  @ApiProperty({ type: String }) title!: string;
  @ApiProperty({ type: String }) version!: string;
  @ApiProperty({ type: String }) description!: string;
}

class AsyncApiDocument {
  @ApiProperty({ enum: ['3.0.0'] }) asyncapi!: string;
  @ApiProperty({ type: AsyncApiInfo }) info!: AsyncApiInfo;
  @ApiProperty({ type: String, enum: ['application/json'] }) defaultContentType!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The socket.io server on this port' }) servers!: Record<
    string,
    unknown
  >;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "One channel: the user's socket" }) channels!: Record<
    string,
    unknown
  >;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'receive.<event> for each server → client event; send.message.send and send.typing with their acks as reply',
  })
  operations!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'schemas (JSON Schema), messages, securitySchemes' })
  components!: Record<string, unknown>;
}

@ApiTags('docs')
@Controller()
export class DocsController {
  constructor(private readonly published: Published) {}

  @Get('asyncapi.json')
  @ApiOperation({ summary: 'The AsyncAPI 3 document of the socket events, their payloads and the acks of message.send and typing' })
  @ApiOkResponse({ type: AsyncApiDocument })
  @ApiErrors(NOT_FOUND)
  asyncapi(@Req() req: FastifyRequest) {
    if (!this.published.openapi) throw new NotFound();
    return buildAsyncApi(this.published.openapi, req.headers.host ?? '127.0.0.1:3000');
  }

  @Get()
  @ApiOperation({ summary: 'The end-user web app (sign in, inbox, requests, conversations, rooms, notices)' })
  @ApiOkResponse({
    description: 'index.html of the web app; its scripts load from /assets',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  @ApiErrors({ 404: ['not_found'] })
  web(@Res() res: FastifyReply) {
    const dir = this.published.webDir;
    if (!dir || !existsSync(join(dir, 'index.html'))) throw new NotFound('The web app is not built: npm run build:web.');
    webSecurityHeaders(res);
    res.header('Cache-Control', 'no-cache');
    res.type('text/html; charset=UTF-8').send(readFileSync(join(dir, 'index.html')));
  }
}

@Module({ controllers: [DocsController], providers: [Published], exports: [Published] })
export class DocsModule {}
