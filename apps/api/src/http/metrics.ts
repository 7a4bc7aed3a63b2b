import { Controller, Get, Header } from '@nestjs/common';
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

/** Records latency by the route pattern (not the raw URL, so ids do not explode the label set). */
export function metricsMiddleware(req: Request, res: Response, next: NextFunction) {
  if (!defaultsCollected) {
    defaultsCollected = true;
    collectDefaultMetrics();
  }
  const end = httpDuration.startTimer();
  res.on('finish', () => {
    const route = (req as any).route?.path ? `${req.baseUrl ?? ''}${(req as any).route.path}` : 'unmatched';
    end({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  metrics() {
    return register.metrics();
  }
}
