import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/messaging/config';
import { NotFound, Unauthorized } from '@app/messaging/errors';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, register } from 'prom-client';

let defaultsCollected = false;
export const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by method, route and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

/** The route pattern of a request answered outside the router (fast-send.ts), for the label. */
export const ROUTE_LABEL = Symbol('metrics route');

/** Records latency by the route pattern (not the raw URL, so ids do not explode the label set). */
export function metricsMiddleware(req: Request, res: Response, next: NextFunction) {
  if (!defaultsCollected) {
    defaultsCollected = true;
    collectDefaultMetrics();
  }
  const end = httpDuration.startTimer();
  res.on('finish', () => {
    const route = (req as any)[ROUTE_LABEL] ?? ((req as any).route?.path ? `${req.baseUrl ?? ''}${(req as any).route.path}` : 'unmatched');
    end({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
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
  metrics(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const token = this.config.metricsToken;
    if (token === null) {
      if (!LOOPBACK.has(req.ip ?? '')) throw new NotFound();
    } else {
      const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
      const want = Buffer.from(token);
      if (given.length !== want.length || !timingSafeEqual(given, want))
        throw new Unauthorized('GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.');
    }
    // Set here, not by @Header: a refusal above must keep the JSON error body.
    res.setHeader('Content-Type', register.contentType);
    return register.metrics();
  }
}
