'use strict';
/**
 * Summarises `perf record -e cpu-clock -g` of a node process started with
 * --perf-basic-prof(-only-functions): on-CPU time only (a process waiting for a core is not
 * sampled, unlike the V8 profiler's wall-clock samples), kernel included. Each sample's time
 * goes to the nearest JavaScript function on its stack (V8 builtins, C++ and kernel frames are
 * folded into the JS function that called them), and inclusively to every area (npm package,
 * our module, Node core) on the stack.
 */
const { execFileSync } = require('node:child_process');

function areaOfPath(path) {
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (path.startsWith('node:')) {
    const m = /^node:(internal\/)?([^/:]+)/.exec(path);
    return `node:${m ? m[2] : path}`;
  }
  const dist = path.indexOf('/dist/');
  if (dist >= 0)
    return `app:${path
      .slice(dist + '/dist/'.length)
      .replace(/^(apps\/api\/src|libs\/messaging\/src)\//, '')
      .replace(/\.js(:\d+)*$/, '')}`;
  return path;
}

/** `JS:*name /path/file.js:1:2` → { fn: 'name file.js:1', area } ; null for non-JS frames. */
function jsFrame(sym) {
  const m = /^JS:[*~^+-]?(.*?) (\S+):(\d+):\d+$/.exec(sym) || /^JS:[*~^+-]?(.*?) (\S+)$/.exec(sym);
  if (!m) return null;
  const [, name, path, line] = m;
  const short = path.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, '');
  return { fn: `${name || '(anonymous)'} ${short}${line ? `:${line}` : ''}`, area: areaOfPath(path) };
}

function summarisePerf(file, { top = 30 } = {}) {
  const text = execFileSync('perf', ['script', '-i', file, '-F', 'period,ip,sym'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const fnSelf = new Map();
  const areaIncl = new Map();
  const kernelBy = new Map();
  let total = 0;
  let kernel = 0;
  const add = (m, k, v) => m.set(k, (m.get(k) || 0) + v);
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((l) => l.trim());
    if (lines.length === 0) continue;
    const period = Number(/^\s*(\d+)/.exec(lines[0])?.[1] || 0);
    if (!period) continue;
    total += period;
    const raw = lines.slice(1).map((l) => l.trim());
    const frames = raw.map((l) => l.replace(/^[0-9a-f]+\s+/, '').replace(/\+0x[0-9a-f]+$/, ''));
    const leafKernel = /^ffff/.test(raw[0] || '');
    let owner = null;
    const areas = new Set();
    for (const f of frames) {
      const js = jsFrame(f);
      if (!js) continue;
      if (!owner) owner = js;
      areas.add(js.area);
    }
    const label = owner ? owner.fn : `(native) ${frames[0] || '?'}`;
    add(fnSelf, label, period);
    for (const a of areas) add(areaIncl, a, period);
    if (leafKernel) {
      kernel += period;
      add(kernelBy, owner ? owner.fn : frames.find((f) => /^(__x64_sys|do_syscall|__sys)/.test(f)) || frames[0], period);
    }
  }
  const rank = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ns]) => ({ name, ns }));
  return { totalNs: total, kernelNs: kernel, functions: rank(fnSelf), areas: rank(areaIncl), kernelBy: rank(kernelBy) };
}

module.exports = { summarisePerf };
