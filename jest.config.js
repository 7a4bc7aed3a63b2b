/** Three tiers (STYLE.md): unit specs beside the code, e2e against real services, browser. */
/**
 * Transpile only (@swc/jest): type errors are `npm run typecheck`'s job, run once in .ci/run.
 * Nest needs legacy decorators with their design-type metadata.
 */
const swcJest = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const common = {
  rootDir: __dirname,
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': swcJest },
  moduleNameMapper: {
    '^@app/messaging$': '<rootDir>/libs/messaging/src',
    '^@app/messaging/(.*)$': '<rootDir>/libs/messaging/src/$1',
    '^@backchannel/client$': '<rootDir>/libs/client/src',
    '^@backchannel/client/admin$': '<rootDir>/libs/client/src/admin-types',
    '^@backchannel/client/node$': '<rootDir>/libs/client/src/node',
  },
  testEnvironment: 'node',
};
/** The test databases of a run are dropped together at its end (test/support/deferred-drops.ts). */
const databases = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
/**
 * The e2e suites whose subject is Redis (real time, limits, workers) run a second time on a
 * Redis Cluster (3 masters + 3 replicas started by test/cluster/global-setup.ts), with the
 * cluster-only tests in test/cluster. Only their cross-process blocks run there: the rest is
 * declared `singleRedis` (test/support/projects.ts) and runs once, in `e2e`. Left out when
 * redis-server 7+ is not installed.
 */
const { spawnSync } = require('node:child_process');
const redis7 = /v=([7-9]|\d{2,})\./.test(spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout ?? '');
const clusterProject = {
  ...common,
  displayName: 'cluster',
  testMatch: [
    '<rootDir>/test/e2e/realtime.e2e-spec.ts',
    '<rootDir>/test/e2e/limits.e2e-spec.ts',
    '<rootDir>/test/e2e/workers.e2e-spec.ts',
    '<rootDir>/test/cluster/**/*.cluster-spec.ts',
  ],
  setupFiles: ['<rootDir>/test/cluster/env.ts'],
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
};
/**
 * A whole run runs the e2e files in groups that share one module registry each (a file's own
 * hooks, app and database stay its own: test/support/e2e-groups.js); a run that names files or
 * patterns runs them one by one, as before.
 */
const { runNamesFiles } = require('./test/support/e2e-groups');
const e2eFiles = runNamesFiles() ? '<rootDir>/test/e2e/**/*.e2e-spec.ts' : '<rootDir>/test/e2e/groups/*.e2e-group.js';
module.exports = {
  // Three workers on two cores: a 2-worker run left ~27% of both cores idle (jest's, PostgreSQL's
  // and Redis's CPU-seconds against its wall time: suites waiting on timers, token expiry,
  // restarts), which the third fills.
  maxWorkers: 3,
  // ~100 files each boot the app in a reused worker: recycle a worker whose heap grew past
  // this between files (one CI run hit V8's 4 GB limit in a worker without it).
  workerIdleMemoryLimit: '1536MB',
  testTimeout: 120000,
  // Longest suites first, by a reference run's times when jest has none of its own (a clean clone).
  testSequencer: '<rootDir>/test/sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    { ...common, ...databases, displayName: 'e2e', testMatch: [e2eFiles] },
    {
      ...common,
      ...databases,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      // Flags a failed test, for its screenshots (test/support/screenshots.ts).
      testEnvironment: '<rootDir>/test/support/browser-environment.js',
    },
    // Crashes and restarts of the built app as child processes (globalSetup builds dist/ when stale).
    {
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
      globalSetup: '<rootDir>/test/faults/global-setup.ts',
    },
    ...(redis7 ? [clusterProject] : []),
  ],
};
