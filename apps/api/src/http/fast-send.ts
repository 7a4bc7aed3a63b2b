import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { pinoHttp, type HttpLogger, type Options } from 'pino-http';
import { MessagesService } from '@app/messaging/messages/messages.service';
import { UserAuthGuard } from './auth';
import { renderError } from './exception.filter';
import { ROUTE_LABEL } from './metrics';

/** `POST /v1/conversations/:id/messages` as the router spells it (metrics label, OpenAPI). */
export const SEND_ROUTE = '/v1/conversations/:id/messages';
/** The canonical spelling only; any other (case, trailing slash, query, escapes) takes the router. */
const SEND_PATH = /^\/v1\/conversations\/([0-9A-Za-z-]{1,64})\/messages$/;

/**
 * The hot REST route, answered before Nest's router: the same steps the routed request takes
 * (body already parsed and depth-checked, CORS headers set by the middlewares in front of this
 * one; request id and request log by pino-http with the app's logger and options; the
 * UserAuthGuard's check; MessagesService.send; 201/200 with the message; errors through the
 * GlobalExceptionFilter's rendering), without the router's walk over every route, Nest's
 * per-request execution context, guards and pipes machinery. ConversationsController.send
 * stays the documented route (OpenAPI) and answers every other spelling of the path.
 */
export function fastSendRoute(app: NestExpressApplication, pinoHttpOptions: Options): void {
  const messages = app.get(MessagesService);
  const guard = app.get(UserAuthGuard);
  let httpLog: HttpLogger | null = null;
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    const m = SEND_PATH.exec(req.url);
    if (!m) return next();
    // nestjs-pino's root logger exists once the app is initialised (its middleware sets it).
    const log = (httpLog ??= pinoHttp({ ...pinoHttpOptions, logger: PinoLogger.root }));
    (req as any)[ROUTE_LABEL] = SEND_ROUTE;
    log(req, res);
    storage.run(new Store((req as any).log), () => {
      void send(req, res, m[1]);
    });
  });

  async function send(req: Request, res: Response, conversationId: string) {
    try {
      const user = await guard.authenticate(req.headers.authorization);
      (req as any).user = user;
      const { message, created } = await messages.send(user.id, conversationId, (req.body as Record<string, unknown> | undefined) ?? {});
      res.status(created ? 201 : 200).json(message);
    } catch (err) {
      renderError(err, req as Request & { id?: string }, res);
    }
  }
}
