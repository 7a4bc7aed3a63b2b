import type { NextFunction, Request, Response } from 'express';
import { InvalidRequest } from '@app/messaging/errors';

/** Deepest nesting a request body may have; no route takes more than a few levels. */
export const MAX_JSON_DEPTH = 32;

/** Depth of a parsed JSON value, walked without recursion (a hostile body may be thousands deep). */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > stopAt) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/**
 * Refuses bodies nested deeper than MAX_JSON_DEPTH with 400 invalid_request, before the
 * validation pipe walks them recursively (which overflows the stack: a 500).
 */
export function jsonDepthLimit(req: Request, _res: Response, next: NextFunction) {
  if (req.body !== null && typeof req.body === 'object' && jsonDepth(req.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    return next(
      new InvalidRequest(`The body is nested more than ${MAX_JSON_DEPTH} levels deep.`, [
        { field: 'body', problems: [`depth <= ${MAX_JSON_DEPTH}`] },
      ]),
    );
  }
  next();
}
