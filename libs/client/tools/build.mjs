/**
 * `npm run build:client`: the SDK as a package usable outside this repository, in
 * libs/client/dist: ES modules (.js) and their type declarations (.d.ts), compiled by tsc
 * from libs/client/src with tsconfig.build.json.
 *
 * The sources import each other without extensions (the repository's bundlers, jest and
 * ts-node resolve them so); Node's ES module loader needs the file, so the emitted relative
 * specifiers get their `.js` here, and each one is checked to name a file that exists.
 * dist/package.json marks the folder's .js files as ES modules (libs/client itself stays
 * CommonJS-neutral for the repository's ts-node tools).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(PKG, '..', '..');
const DIST = join(PKG, 'dist');

const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });

/** `from './x'`, `import('./x')`, `import './x'` with a relative specifier: → './x.js' (or './x/index.js'). */
function addExtensions(file, text) {
  const problems = [];
  const out = text.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g, (all, lead, quote, spec) => {
    if (/\.(m?js|json)$/.test(spec)) return all;
    const base = resolve(dirname(file), spec);
    const target = existsSync(`${base}.js`) ? `${spec}.js` : existsSync(join(base, 'index.js')) ? `${spec}/index.js` : null;
    if (!target) {
      problems.push(`${file}: ${spec} names no emitted module`);
      return all;
    }
    return `${lead}${quote}${target}${quote}`;
  });
  return { out, problems };
}

function main() {
  rmSync(DIST, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(PKG, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  if (tsc.status !== 0) throw new Error(`tsc failed (exit ${tsc.status})`);
  const problems = [];
  for (const file of files(DIST).filter((f) => /\.(js|d\.ts)$/.test(f))) {
    const fixed = addExtensions(file, readFileSync(file, 'utf8'));
    problems.push(...fixed.problems);
    writeFileSync(file, fixed.out);
  }
  if (problems.length) throw new Error(`unresolved imports in the build:\n${problems.join('\n')}`);
  writeFileSync(join(DIST, 'package.json'), `${JSON.stringify({ type: 'module' }, null, 2)}\n`);
  const { name, version } = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));
  process.stdout.write(`built ${name}@${version} into ${DIST}\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`build:client failed: ${err?.message ?? err}\n`);
  process.exit(1);
}
