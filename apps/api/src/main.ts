import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { createApp } from './app.factory';

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
  const app = await createApp(config);
  if (config.roles.includes('api')) {
    await app.listen(config.port, config.host);
    process.stdout.write(
      JSON.stringify({ level: 30, time: Date.now(), msg: `Backchannel (${config.roles.join(',')}) listening on http://${config.host}:${config.port}` }) + '\n',
    );
  } else {
    await app.init();
    process.stdout.write(JSON.stringify({ level: 30, time: Date.now(), msg: `Backchannel workers started` }) + '\n');
  }
}

main().catch((err) => {
  const hint =
    err?.code === 'ECONNREFUSED'
      ? ` (is the service at ${err.address}:${err.port} running? See README "Running it")`
      : '';
  process.stderr.write(`startup failed: ${err?.message ?? err}${hint}\n`);
  process.exit(1);
});
