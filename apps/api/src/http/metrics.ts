import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/messaging/config';
import { NotFound, Unauthorized } from '@app/messaging/errors';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Histogram, register } from 'prom-client';

let defaultsCollected = false;
export const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by method, route and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

/**
 * Records latency (Fastify's own clock, from the request's arrival) by the route pattern (not
 * the raw URL, so ids do not explode the label set); a request no route matched, a CORS
 * preflight included, is `unmatched`.
 */
export function useHttpMetrics(fastify: FastifyInstance): void {
  if (!defaultsCollected) {
    defaultsCollected = true;
    collectDefaultMetrics();
  }
  fastify.addHook('onResponse', (req, reply, done) => {
    // '*' is @fastify/cors's preflight route: not one of the app's.
    const route = req.is404 || req.routeOptions.url === '*' ? undefined : req.routeOptions.url;
    httpDuration.observe({ method: req.method, route: route ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Closed by default: without METRICS_TOKEN only loopback callers get the metrics (a scraper
 * on the same host; behind a reverse proxy req.ip is the real client, so the world gets
 * 404); with METRICS_TOKEN every caller needs `Authorization: Bearer <token>`.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  metrics(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    const token = this.config.metricsToken;
    if (token === null) {
      if (!LOOPBACK.has(req.ip)) throw new NotFound();
    } else {
      const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
      const want = Buffer.from(token);
      if (given.length !== want.length || !timingSafeEqual(given, want))
        throw new Unauthorized('GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.');
    }
    // Set here, not by @Header: a refusal above must keep the JSON error body.
    res.header('Content-Type', register.contentType);
    return register.metrics();
  }
}
