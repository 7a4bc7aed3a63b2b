/**
 * Longest suites first, on a clean clone too. Jest's own sequencer orders by the durations in
 * its cache (a previous run of this checkout) and, without them, by file size: on a fresh CI
 * checkout the fault, cluster and most browser suites (small files, minutes of wall time) then
 * start last, and one worker runs them alone while the other idles. Here a suite's expected time
 * is jest's cached one when there is one, else the reference run's in test/durations.json
 * (`project:path` → ms; refresh it with `node test/sequencer.js <a CI log>`), else a
 * guess by project and file size. A suite that failed last time still goes first.
 */
const { readFileSync, statSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const ROOT = join(__dirname, '..');
const FILE = join(__dirname, 'durations.json');
const key = (project, path) => `${project}:${relative(ROOT, path)}`;

/** A suite not in the reference run: a process-spawning or browser suite runs for a minute or more, an e2e one boots an app. */
const GUESS_MS = { browser: 120_000, faults: 60_000, cluster: 60_000, e2e: 5_000, unit: 500 };
const guess = (project, path) => (GUESS_MS[project] ?? 5_000) + (statSync(path, { throwIfNoEntry: false })?.size ?? 0) / 4;

let reference = null;
function referenceTimes() {
  if (!reference) {
    try {
      reference = JSON.parse(readFileSync(FILE, 'utf8'));
    } catch {
      reference = {};
    }
  }
  return reference;
}

/** An e2e group file (test/support/e2e-groups.js) takes as long as its spec files together. */
let groupMap = null;
const groupTimes = () => (groupMap ??= require('./support/e2e-groups').groups());

class KnownSlowFirst extends Sequencer {
  sort(tests) {
    const expected = new Map();
    for (const test of tests) {
      const project = test.context.config.displayName?.name ?? '';
      expected.set(
        test,
        super.time(test) ?? referenceTimes()[key(project, test.path)] ?? groupTimes().get(test.path)?.ms ?? guess(project, test.path),
      );
      test.duration = expected.get(test); // jest's estimate of the run's time
    }
    return [...tests].sort((a, b) => {
      const failed = Number(this.hasFailed(b)) - Number(this.hasFailed(a));
      return failed || expected.get(b) - expected.get(a);
    });
  }
}

module.exports = KnownSlowFirst;

// `node test/sequencer.js <file>...` writes test/durations.json from jest's output: a CI log (its
// "PASS <project> <path> (<seconds> s)" lines; jest prints the time of files over 5 s) or the
// file of `jest --json --outputFile=…`. Later files win; suites that are not named keep their time.
if (require.main === module) {
  const projectOf = (path) =>
    /\.cluster-spec\.ts$/.test(path)
      ? 'cluster'
      : /\.fault-spec\.ts$/.test(path)
        ? 'faults'
        : /\.browser-spec\.ts$/.test(path)
          ? 'browser'
          : /\.e2e-spec\.ts$/.test(path)
            ? 'e2e'
            : 'unit';
  const out = { ...referenceTimes() };
  for (const file of process.argv.slice(2)) {
    const text = readFileSync(file, 'utf8');
    if (text.trimStart().startsWith('{')) {
      const byPath = new Map();
      for (const r of JSON.parse(text).testResults.filter((x) => !x.name.endsWith('.e2e-group.js')))
        byPath.set(r.name, [...(byPath.get(r.name) ?? []), r]);
      for (const [path, results] of byPath) {
        // The cluster project runs three e2e files a second time, without their singleRedis tests.
        results.sort((a, b) => b.assertionResults.length - a.assertionResults.length);
        results.forEach((r, i) => {
          const project = i > 0 && projectOf(path) === 'e2e' ? 'cluster' : projectOf(path);
          out[key(project, path)] = Math.round((r.endTime - r.startTime) / 100) * 100;
        });
      }
    } else {
      for (const m of text.matchAll(/^(?:PASS|FAIL) (\w+) (\S+) \((\d+(?:\.\d+)?) s/gm)) {
        // A group's time is its spec files' (their own lines come from a run of single files).
        if (!m[2].endsWith('.e2e-group.js')) out[key(m[1], join(ROOT, m[2]))] = Math.round(Number(m[3]) * 10) * 100;
      }
    }
  }
  const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(FILE, `${JSON.stringify(sorted, null, 2)}\n`);
  console.log(`${Object.keys(sorted).length} suites in ${relative(process.cwd(), FILE)}`);
}
