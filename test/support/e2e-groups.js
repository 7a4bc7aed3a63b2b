/**
 * A whole run (`npm test`, `npm run test:e2e`) runs the e2e files in groups: each group file in
 * test/e2e/groups requires its share of the *.e2e-spec.ts files, each inside a describe named
 * after the file, so they share one jest module registry. Each spec file still has its own
 * beforeAll/afterAll, app and database; what they share is the loading of the app's modules
 * (Nest, MikroORM, BullMQ, socket.io, Fastify: ~1.5 CPU-s a file when each had a fresh registry).
 * A run that names files or patterns (`npx jest test/e2e/rooms.e2e-spec.ts`) runs the spec files
 * themselves (jest.config.js); E2E_GROUPS=0 does too, E2E_GROUPS=1 runs the groups.
 *
 * The files are dealt to the groups longest first (by test/durations.json, else a guess by file
 * size) to the group with the least expected time, so the groups take about as long each; a new
 * spec file joins a group without anyone touching the group files.
 */
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { basename, dirname, join, relative } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const SPECS = join(ROOT, 'test', 'e2e');
const GROUPS = join(SPECS, 'groups');
const GROUP_FILE = /^group-(\d+)\.e2e-group\.js$/;

/** A spec file's expected milliseconds: the reference run's, else 5 s for the app's boot and a quarter of a millisecond a byte. */
function expectedMs(path, reference) {
  return reference[`e2e:${relative(ROOT, path)}`] ?? 5_000 + statSync(path).size / 4;
}

function referenceTimes() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'test', 'durations.json'), 'utf8'));
  } catch {
    return {};
  }
}

/** The group files, in order. */
function groupFiles() {
  return readdirSync(GROUPS)
    .filter((f) => GROUP_FILE.test(f))
    .sort((a, b) => Number(GROUP_FILE.exec(a)[1]) - Number(GROUP_FILE.exec(b)[1]))
    .map((f) => join(GROUPS, f));
}

/** Map of group file → the spec files it runs (absolute paths), and each group's expected ms. */
function groups() {
  const reference = referenceTimes();
  const files = groupFiles();
  const specs = readdirSync(SPECS)
    .filter((f) => f.endsWith('.e2e-spec.ts'))
    .map((f) => join(SPECS, f))
    .map((path) => ({ path, ms: expectedMs(path, reference) }))
    .sort((a, b) => b.ms - a.ms || a.path.localeCompare(b.path));
  const bins = files.map((file) => ({ file, ms: 0, specs: [] }));
  for (const spec of specs) {
    const bin = bins.reduce((least, b) => (b.ms < least.ms ? b : least));
    bin.ms += spec.ms;
    bin.specs.push(spec.path);
  }
  return new Map(bins.map((b) => [b.file, { ms: b.ms, specs: b.specs.sort() }]));
}

/** Inside a group file: declares its spec files, each in a describe named after it. */
function runGroup(groupFile) {
  const group = groups().get(groupFile);
  if (!group) throw new Error(`${groupFile} is not a group file (test/e2e/groups/group-<n>.e2e-group.js)`);
  for (const spec of group.specs) {
    describe(basename(spec), () => {
      require(spec);
    });
  }
}

/**
 * jest.config.js: whether this jest run names test files (paths, patterns, related or changed
 * files, watch mode), by jest's own command-line options; such a run matches the spec files.
 */
function runNamesFiles(argv = process.argv.slice(2)) {
  if (process.env.E2E_GROUPS === '0') return true;
  if (process.env.E2E_GROUPS === '1') return false;
  const jestCli = require.resolve('jest-cli');
  const yargs = require(require.resolve('yargs', { paths: [jestCli] }));
  const { options } = require(join(dirname(jestCli), 'args.js'));
  const args = yargs(argv).options(options).help(false).version(false).parse();
  return Boolean(
    args._.length ||
    args.testPathPattern?.length ||
    args.runTestsByPath ||
    args.findRelatedTests ||
    args.onlyChanged ||
    args.changedSince ||
    args.lastCommit ||
    args.watch ||
    args.watchAll,
  );
}

module.exports = { groups, runGroup, runNamesFiles };
