import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { createApp } from './app.factory';
import { consoleLine, whereLines, type LogFormat } from './bootstrap/console-lines';

/** Longest a drain may take before the process gives up on it and exits non-zero. */
const DRAIN_TIMEOUT_MS = 25_000;
/** A repeat of the same signal sooner than this is one signal delivered twice (see stopOnSignals). */
const REPEAT_WINDOW_MS = 1_000;

let logFormat: LogFormat = 'json';
const logLine = (level: number, msg: string) => consoleLine(logFormat, level, msg);

/**
 * SIGTERM/SIGINT: stop accepting, finish in-flight requests, drain the outbox, close the
 * pools, then exit 0, logging each end of the drain. A second signal (after REPEAT_WINDOW_MS),
 * or a drain longer than DRAIN_TIMEOUT_MS, exits at once with 1. `npm start` execs this process, so the signal that
 * stops npm reaches it (package.json's start script).
 */
function stopOnSignals(close: () => Promise<void>): void {
  let stopping: { signal: NodeJS.Signals; at: number } | null = null;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        // One Ctrl-C in a terminal reaches this process twice: from the terminal (the whole
        // foreground process group) and again from npm, which forwards what it received.
        // The same signal within REPEAT_WINDOW_MS is that copy, not a person insisting.
        if (stopping.signal === signal && Date.now() - stopping.at < REPEAT_WINDOW_MS) return;
        logLine(50, `${signal} again: exiting without waiting for the drain`);
        process.exit(1);
      }
      stopping = { signal, at: Date.now() };
      const started = Date.now();
      logLine(30, `${signal}: closing the port, finishing in-flight requests and draining the outbox`);
      const timer = setTimeout(() => {
        logLine(50, `drain did not finish within ${DRAIN_TIMEOUT_MS} ms: exiting`);
        process.exit(1);
      }, DRAIN_TIMEOUT_MS);
      timer.unref();
      close().then(
        () => {
          logLine(30, `drained and stopped in ${Date.now() - started} ms`);
          process.exit(0);
        },
        (err) => {
          logLine(50, `shutdown failed: ${(err as Error)?.message ?? err}`);
          process.exit(1);
        },
      );
    });
  }
}

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  logFormat = config.logFormat;
  const app = await createApp(config, { shutdownHooks: false, log: (m) => logLine(30, m) });
  stopOnSignals(() => app.close());
  if (config.roles.includes('api')) {
    await app.listen(config.port, config.host);
    logLine(30, `Backchannel (${config.roles.join(',')}) listening on http://${config.host}:${config.port}`);
    for (const { what, url } of whereLines(config.host, config.port)) consoleLine(logFormat, 30, `${what}  ${url}`, { url });
  } else {
    await app.init();
    logLine(30, `Backchannel workers started`);
  }
}

main().catch((err) => {
  const hint = err?.code === 'ECONNREFUSED' ? ` (is the service at ${err.address}:${err.port} running? See README "Running it")` : '';
  process.stderr.write(`startup failed: ${err?.message ?? err}${hint}\n`);
  process.exit(1);
});
