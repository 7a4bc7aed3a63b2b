import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Store, storage } from 'nestjs-pino/storage';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { QuietFrameworkLogger } from './bootstrap/quiet-framework-logger';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { AppConfig } from './config';
import { usePasswordHashCost } from '@app/messaging/accounts/passwords';
import { AppModule, requestId } from './app.module';
import { fastSendRoute } from './http/fast-send';
import { createRootLogger, useRequestLog } from './http/request-log';
import { prepareDatabase } from './bootstrap/database';
import { validationPipe } from './http/validation';
import { useHttpMetrics } from './http/metrics';
import { MAX_BODY_BYTES, useJsonBodies } from './http/json-depth';
import { API_MODULES, WORKER_MODULES } from './modules';
import { renderError } from './http/exception.filter';
import { appCreateHooks } from './app-hooks';
import { PLATFORM_KEY_SCHEME } from './platform/platform.controller';
import { Published } from './docs/published';
import { webSecurityHeaders } from './docs/docs.controller';
export { onAppCreate } from './app-hooks';

export interface CreateAppOptions {
  /** Where start-up lines go (JSON lines on stdout by default). */
  log?: (msg: string) => void;
  /**
   * Let Nest close the app on SIGTERM/SIGINT (default true). main.ts turns this off and
   * installs its own handlers, which log the drain and bound it in time.
   */
  shutdownHooks?: boolean;
}

/** Any origin; Express cors()'s methods and lenient preflight, which the contract was written against. */
const CORS = {
  origin: '*',
  methods: 'GET,HEAD,PUT,PATCH,POST,DELETE',
  strictPreflight: false,
  exposedHeaders: 'Content-Range,Retry-After,X-Request-Id',
};

/** MUI styles are injected at run time, hence 'unsafe-inline' for styles only; scripts are the bundle's own. */
const ADMIN_CSP = [
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

export async function createApp(config: AppConfig, opts: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  usePasswordHashCost(config.passwordHashCost);
  const log = opts.log ?? ((m: string) => process.stdout.write(JSON.stringify({ level: 30, time: Date.now(), msg: m }) + '\n'));
  const { jwtSecret } = await prepareDatabase({
    // Migrations, the JWT secret and the first admin need the owning role; the app then runs as DATABASE_URL.
    databaseUrl: config.databaseMigrationUrl ?? config.databaseUrl,
    jwtSecret: config.jwtSecret,
    adminEmail: config.adminEmail,
    adminPassword: config.adminPassword,
    log,
  });
  const adapter = new FastifyAdapter({
    // X-Forwarded-For is believed from a proxy on this host only (req.ip is then the client's).
    trustProxy: 'loopback',
    bodyLimit: MAX_BODY_BYTES,
    genReqId: requestId,
    // Routing as Express had it: paths match in any case and with or without a trailing slash;
    // a path parameter may be long (the handler answers for it, not the router).
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // A path Fastify cannot decode (a bad %-escape) still gets the contract's error shape.
    frameworkErrors: (err: Error, req: FastifyRequest, reply: FastifyReply) => {
      // Answered before any hook, so CORS's headers are set here.
      reply.header('Access-Control-Allow-Origin', '*').header('Access-Control-Expose-Headers', CORS.exposedHeaders);
      renderError(err, req, reply);
    },
    // While the app drains (main.ts), a request on a connection still open is answered as
    // before (with Connection: close), not with Fastify's bare 503 outside the error shape.
    return503OnClosing: false,
    // Node's (and so Express's) idle keep-alive timeout, not Fastify's 72 s: a connection that
    // was busy when the drain began closes 5 s after its last answer, within the drain's bound.
    keepAliveTimeout: 5_000,
    // Node's own bound on receiving a whole request (Fastify's default is none): a client that
    // trickles its headers or body cannot hold a connection for ever, as under Express.
    requestTimeout: 300_000,
  });
  const rootLogger = createRootLogger(config);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, jwtSecret, { api: API_MODULES, worker: WORKER_MODULES }, rootLogger),
    adapter,
    { bodyParser: false, bufferLogs: true, abortOnError: false },
  );
  app.useLogger(new QuietFrameworkLogger(app.get(Logger)));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  // Before Nest's middlewares (registered at init): the request's logger for nestjs-pino's.
  useRequestLog(fastify, rootLogger);
  useHttpMetrics(fastify);
  useJsonBodies(fastify);
  keepRequestLogger(fastify);
  app.useGlobalPipes(validationPipe);
  if (opts.shutdownHooks !== false) app.enableShutdownHooks();
  app.enableCors(CORS);
  if (config.roles.includes('api')) fastSendRoute(app);

  const docs = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Backchannel API')
      .setVersion('1')
      .addBearerAuth()
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'A platform key from PLATFORM_API_KEYS (server to server, /platform/v1 only)' },
        PLATFORM_KEY_SCHEME,
      )
      .build(),
  );
  SwaggerModule.setup('docs', app, docs, { jsonDocumentUrl: 'docs-json' });

  // dist/apps/api/src → dist/admin when built; apps/api/src → dist/admin under ts-jest.
  const root = join(__dirname, '..', '..', '..');
  if (config.roles.includes('api')) {
    // The end-user web app (GET / is DocsController; its bundle loads from /assets) and GET /asyncapi.json.
    const webDir =
      [join(root, 'web'), join(root, 'dist', 'web')].find((d) => existsSync(join(d, 'index.html'))) ?? join(root, 'dist', 'web');
    const published = app.get(Published);
    published.openapi = docs;
    published.webDir = webDir;
    await app.register(fastifyStatic, {
      root: join(webDir, 'assets'),
      prefix: '/assets/',
      index: false,
      redirect: false,
      immutable: true,
      maxAge: '365d',
      decorateReply: false,
    });
    // The web app's icon (apps/web/public/favicon.ico, copied into the build by Vite): browsers ask for it on their own.
    fastify.get('/favicon.ico', (_req, reply) => {
      const file = join(webDir, 'favicon.ico');
      if (!existsSync(file)) return reply.callNotFound();
      webSecurityHeaders(reply);
      return reply.header('Cache-Control', 'public, max-age=86400').type('image/x-icon').send(readFileSync(file));
    });
  }
  const adminDir =
    config.adminStaticDir ??
    [join(root, 'admin'), join(root, 'dist', 'admin')].find((d) => existsSync(join(d, 'index.html'))) ??
    join(root, 'admin');
  const adminConsole = config.roles.includes('api') && existsSync(join(adminDir, 'index.html'));
  if (config.roles.includes('api')) {
    // Every /assets answer, and every /admin one but the staff API's, carries the page headers (404s too).
    fastify.addHook('onRequest', (req, reply, done) => {
      const path = req.url.split('?')[0].toLowerCase();
      if (path === '/assets' || path.startsWith('/assets/')) webSecurityHeaders(reply);
      else if (adminConsole && (path === '/admin' || path.startsWith('/admin/')) && !path.startsWith('/admin/v1')) {
        // The console must never be framed (clickjacking a moderator's clicks) and runs only its own code.
        reply.header('Content-Security-Policy', ADMIN_CSP);
        reply.header('X-Frame-Options', 'DENY');
        reply.header('X-Content-Type-Options', 'nosniff');
        reply.header('Referrer-Policy', 'no-referrer');
      }
      done();
    });
  }
  if (adminConsole) {
    // The console's files, and index.html for any other GET without a dot (its client-side routes).
    await app.register(fastifyStatic, { root: adminDir, serve: false });
    const adminRoot = resolve(adminDir);
    const serveConsole = (req: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
      const rest = req.params['*'] ?? '';
      if (`/${rest}`.toLowerCase().startsWith('/v1')) return reply.callNotFound();
      const file = resolve(adminRoot, rest === '' ? 'index.html' : rest);
      const inside = file === adminRoot || file.startsWith(adminRoot + sep);
      if (inside && isFile(file)) return reply.sendFile(file.slice(adminRoot.length + 1), adminRoot);
      if (!rest.includes('.')) return reply.sendFile('index.html', adminRoot);
      return reply.callNotFound();
    };
    fastify.get('/admin', serveConsole);
    fastify.get('/admin/*', serveConsole);
  }
  for (const hook of appCreateHooks) await hook(app, config);
  // Errors raised outside a handler (a body that cannot be parsed, a middleware's) reach Nest's
  // error handler on Fastify, and so the GlobalExceptionFilter: the contract's shape.
  return app;
}

/**
 * nestjs-pino's middleware runs the rest of the request in its logger's context, but on
 * Fastify the body is read after the middlewares, from the socket's events: a body that
 * arrives in later packets loses that context, and its handler is put back in it (Express
 * parsed bodies before the middlewares).
 */
function keepRequestLogger(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (req, _reply, done) => {
    const log = (req.raw as { log?: Store['logger'] }).log;
    if (storage.getStore() || !log) return done();
    storage.run(new Store(log), done);
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
