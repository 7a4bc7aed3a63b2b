import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import type { AppConfig } from './config';
import { usePasswordHashCost } from '@app/messaging/accounts/passwords';
import { AppModule, pinoHttpOptions } from './app.module';
import { fastSendRoute } from './http/fast-send';
import { prepareDatabase } from './bootstrap/database';
import { validationPipe } from './http/validation';
import { metricsMiddleware } from './http/metrics';
import { jsonDepthLimit } from './http/json-depth';
import { API_MODULES, WORKER_MODULES } from './modules';
import { toErrorBody } from './http/exception.filter';
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

export async function createApp(config: AppConfig, opts: CreateAppOptions = {}): Promise<NestExpressApplication> {
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
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, jwtSecret, { api: API_MODULES, worker: WORKER_MODULES }),
    { bodyParser: false, bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback');
  app.use(metricsMiddleware);
  app.use(express.json({ limit: '64kb', strict: true }));
  app.use(jsonDepthLimit);
  app.useGlobalPipes(validationPipe);
  if (opts.shutdownHooks !== false) app.enableShutdownHooks();
  app.enableCors({ exposedHeaders: ['Content-Range', 'Retry-After', 'X-Request-Id'] });
  // After the body parser, the depth limit and CORS, before Nest's router and request logging.
  if (config.roles.includes('api')) fastSendRoute(app, pinoHttpOptions(config));

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
    const assets = express.static(join(webDir, 'assets'), {
      index: false,
      fallthrough: true,
      redirect: false,
      immutable: true,
      maxAge: '365d',
    });
    app.use('/assets', (req: express.Request, res: express.Response, next: express.NextFunction) => {
      webSecurityHeaders(res);
      assets(req, res, next);
    });
  }
  const adminDir =
    config.adminStaticDir ??
    [join(root, 'admin'), join(root, 'dist', 'admin')].find((d) => existsSync(join(d, 'index.html'))) ??
    join(root, 'admin');
  if (config.roles.includes('api') && existsSync(join(adminDir, 'index.html'))) {
    app.use('/admin', (req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (req.path.startsWith('/v1')) return next();
      // The console must never be framed (clickjacking a moderator's clicks) and runs only its own code.
      res.setHeader('Content-Security-Policy', ADMIN_CSP);
      res.setHeader('X-Frame-Options', 'DENY');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      express.static(adminDir, { index: 'index.html', fallthrough: true, redirect: false })(req, res, () => {
        if (req.method === 'GET' && !req.path.includes('.')) return res.sendFile(join(adminDir, 'index.html'));
        next();
      });
    });
  }
  for (const hook of appCreateHooks) await hook(app, config);
  // Errors raised before Nest's router (e.g. body-parser) still get the contract's shape.
  app.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const { body, headers } = toErrorBody(err);
    if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(body.statusCode).json(body);
  });
  return app;
}
