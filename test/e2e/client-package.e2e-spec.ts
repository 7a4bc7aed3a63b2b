import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, type TestApp } from '../support/app';

/**
 * The SDK as a package usable outside the repository (issue #32, item 15): `npm run
 * build:client` makes libs/client/dist (ES modules and .d.ts); installed under its name it
 * imports in plain Node (the root and the `admin` and `node` subpaths) and type-checks in a
 * strict TypeScript project; the example app (libs/client/examples/hello.mjs, importing the
 * built files) runs with `node` against the app on its port: two people sign up, Alice's
 * message reaches Bob, and send() before start() is refused with `not_started`.
 */
const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');
const PKG = join(ROOT, 'libs/client');
const DIST = join(PKG, 'dist');

let t: TestApp;
let consumer: string;
beforeAll(async () => {
  t = await startTestApp({ label: 'sdk_package' });
  // The build itself, as `npm run build:client` runs it (tsc: up to a minute on a busy machine).
  const built = await run(process.execPath, [join(PKG, 'tools/build.mjs')], { cwd: ROOT, timeout: 180000 });
  expect(built.stdout).toMatch(/built @backchannel\/client@\d+\.\d+\.\d+/);
  // An app folder elsewhere with the package installed under its name (as npm links a local package).
  consumer = mkdtempSync(join(tmpdir(), 'bc-sdk-consumer-'));
  mkdirSync(join(consumer, 'node_modules/@backchannel'), { recursive: true });
  symlinkSync(PKG, join(consumer, 'node_modules/@backchannel/client'), 'dir');
}, 240000);
afterAll(async () => {
  if (consumer) rmSync(consumer, { recursive: true, force: true });
  await t?.close();
});

it('the build is ES modules with their types, and every export of package.json names a built file', () => {
  const pkg = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));
  expect(pkg.name).toBe('@backchannel/client');
  expect(Object.keys(pkg.exports)).toEqual(['.', './admin', './node', './package.json']);
  for (const key of ['.', './admin', './node']) {
    const { types, import: entry } = pkg.exports[key];
    expect([key, existsSync(join(PKG, types)), existsSync(join(PKG, entry))]).toEqual([key, true, true]);
  }
  expect(JSON.parse(readFileSync(join(DIST, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
  const index = readFileSync(join(DIST, 'client.js'), 'utf8');
  expect(index).toMatch(/^import .* from '\.\/errors\.js';$/m);
  expect(index).not.toMatch(/\brequire\(/);
  expect(readFileSync(join(DIST, 'index.d.ts'), 'utf8')).toMatch(/from '\.\/client\.js'/);
  expect(existsSync(join(PKG, 'README.md'))).toBe(true);
});

it('installed under its name, it imports in plain Node: the root, /admin and /node', async () => {
  writeFileSync(
    join(consumer, 'probe.mjs'),
    `import { BackchannelClient, ClientStateError, MemoryStorage } from '@backchannel/client';
import { REPORT_REASONS } from '@backchannel/client/admin';
import { FileStorage } from '@backchannel/client/node';
const bc = new BackchannelClient({ baseUrl: ${JSON.stringify(t.url)}, storage: new MemoryStorage() });
const err = await bc.send('00000000-0000-4000-8000-000000000000', 'hi').catch((e) => e);
console.log(JSON.stringify({
  client: typeof BackchannelClient,
  fileStorage: typeof FileStorage,
  reasons: Array.isArray(REPORT_REASONS) && REPORT_REASONS.includes('spam'),
  refused: err instanceof ClientStateError && err.code,
}));
`,
  );
  const { stdout } = await run(process.execPath, ['probe.mjs'], { cwd: consumer, timeout: 30000 });
  expect(JSON.parse(stdout)).toEqual({ client: 'function', fileStorage: 'function', reasons: true, refused: 'not_started' });
});

it('its types check in a strict TypeScript project that resolves it as Node does (nodenext)', async () => {
  writeFileSync(
    join(consumer, 'app.ts'),
    `import { BackchannelClient, ClientStateError, MemoryStorage, unwrap, type Message } from '@backchannel/client';
import type { Report } from '@backchannel/client/admin';
import { FileStorage } from '@backchannel/client/node';

export async function hello(baseUrl: string): Promise<Message> {
  const bc = new BackchannelClient({ baseUrl, storage: new MemoryStorage() });
  const me = await bc.signUp({ handle: 'alice_1', displayName: 'Alice', password: 'correct horse battery' });
  const chat = await unwrap(bc.api.POST('/v1/conversations', { body: { participantIds: [me.id] } }));
  const code: 'not_started' | 'signed_out' = new ClientStateError('not_started', 'x').code;
  void code;
  void new FileStorage('./bc.json');
  const reason: Report['reason'] = 'spam';
  void reason;
  // @ts-expect-error the text is a string: typed, not any
  await bc.send(chat.id, 42);
  return bc.send(chat.id, 'hi');
}
`,
  );
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        lib: ['ES2022', 'DOM'],
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      files: ['app.ts'],
    }),
  );
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer, timeout: 120000 }).catch(
    (err: { stdout: string }) => ({ stdout: err.stdout }),
  );
  expect(result.stdout).toBe('');
}, 150000);

it('the example app runs with node against the server: two people sign up and Bob receives what Alice sends', async () => {
  const { stdout, stderr } = await run(process.execPath, [join(PKG, 'examples/hello.mjs'), t.url], { cwd: ROOT, timeout: 60000 });
  expect(stderr).toBe('');
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(4);
  expect(lines[0]).toMatch(/^signed up @alice_[a-z0-9]+ and @bob_[a-z0-9]+$/);
  expect(lines[1]).toBe('send() before start() rejected: not_started');
  const tag = /@alice_([a-z0-9]+)/.exec(lines[0])![1];
  expect(lines[2]).toBe(`alice sent: "Hello, Bob! (${tag})" (seq 1)`);
  expect(lines[3]).toBe(`bob received: "Hello, Bob! (${tag})" (seq 1) from @alice_${tag}`);
}, 90000);
