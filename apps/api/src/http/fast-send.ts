import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Store, storage } from 'nestjs-pino/storage';
import { MessagesService } from '@app/messaging/messages/messages.service';
import { UserAuthGuard } from './auth';
import { renderError } from './exception.filter';

/** `POST /v1/conversations/:id/messages` as the router spells it (metrics label, OpenAPI). */
export const SEND_ROUTE = '/v1/conversations/:id/messages';
/** The canonical spelling only; any other (case, trailing slash, query, escapes) takes Nest's handler. */
const SEND_PATH = /^\/v1\/conversations\/([0-9A-Za-z-]{1,64})\/messages$/;

/**
 * The hot REST route, answered from a preHandler hook before Nest's handler for the route:
 * the same steps the handled request takes (routed by Fastify, body already parsed and
 * depth-checked, CORS headers, request id and request log set by the hooks and middlewares in
 * front of this one; the UserAuthGuard's check; MessagesService.send; 201/200 with the
 * message; errors through the GlobalExceptionFilter's rendering), without Nest's per-request
 * execution context, guards and pipes machinery. ConversationsController.send stays the
 * documented route (OpenAPI) and answers every other spelling of the path.
 */
export function fastSendRoute(app: NestFastifyApplication): void {
  const messages = app.get(MessagesService);
  const guard = app.get(UserAuthGuard);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preHandler', (req, reply, done) => {
      if (req.method !== 'POST' || req.routeOptions.url !== SEND_ROUTE) return done();
      const m = SEND_PATH.exec(req.url);
      if (!m) return done();
      // The request's logger (set by useRequestLog, http/request-log.ts) for the services' logs.
      storage.run(new Store((req.raw as { log?: any }).log), () => {
        void send(req, reply, m[1]);
      });
    });

  async function send(req: FastifyRequest, reply: FastifyReply, conversationId: string) {
    try {
      const user = await guard.authenticate(req.headers.authorization);
      (req as any).user = user;
      const { message, created } = await messages.send(user.id, conversationId, (req.body as Record<string, unknown> | undefined) ?? {});
      reply.status(created ? 201 : 200).send(message);
    } catch (err) {
      renderError(err, req, reply);
    }
  }
}
