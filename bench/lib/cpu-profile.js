'use strict';
/**
 * Summarises a V8 .cpuprofile: where the samples landed (self time) by function and by
 * area (our code, each npm package, Node core, GC, idle), and inclusive time by area
 * (time with at least one frame of that area on the stack).
 */
const { readFileSync } = require('node:fs');

function areaOf(frame) {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(program)') return '(program: V8/native)';
    if (functionName === '(root)') return '(root)';
    return '(native)';
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) {
    const m = /^node:(internal\/)?([^/]+)/.exec(url);
    return `node:${m ? m[2] : url}`;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0)
    return `app:${url
      .slice(dist + '/dist/'.length)
      .replace(/^(apps\/api\/src|libs\/messaging\/src)\//, '')
      .replace(/\.js$/, '')}`;
  return url.replace(/^file:\/\//, '');
}

function fnLabel(frame) {
  const name = frame.functionName || '(anonymous)';
  const file = frame.url
    ? frame.url
        .replace(/^.*\/node_modules\//, '')
        .replace(/^.*\/dist\//, '')
        .replace(/^file:\/\//, '')
    : '';
  return file ? `${name} ${file}:${frame.lineNumber + 1}` : name;
}

function summarise(file, top = 15) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const selfUs = new Map();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] || 0;
    total += dt;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) || 0) + dt);
  }
  const fnSelf = new Map();
  const areaSelf = new Map();
  const areaIncl = new Map();
  // Samples taken while the benchmark's own profile hook runs are not the app's work.
  const hook = new Set(p.nodes.filter((n) => n.callFrame.url.endsWith('profile-hook.js')).map((n) => n.id));
  const underHook = (id) => {
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) if (hook.has(cur)) return true;
    return false;
  };
  for (const [id, us] of selfUs) {
    if (underHook(id)) {
      total -= us;
      continue;
    }
    const node = byId.get(id);
    const key = fnLabel(node.callFrame);
    fnSelf.set(key, (fnSelf.get(key) || 0) + us);
    const area = areaOf(node.callFrame);
    areaSelf.set(area, (areaSelf.get(area) || 0) + us);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) seen.add(areaOf(byId.get(cur).callFrame));
    for (const a of seen) areaIncl.set(a, (areaIncl.get(a) || 0) + us);
  }
  const idle = areaSelf.get('(idle)') || 0;
  const busy = total - idle;
  const rank = (m, n) =>
    [...m]
      .filter(([k]) => k !== '(idle)' && k !== '(root)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, pctBusy: busy > 0 ? (100 * us) / busy : 0 }));
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    topFunctions: rank(fnSelf, top),
    areasSelf: rank(areaSelf, top),
    // Inclusive time is told for packages and our own code: Node core and native frames sit
    // under nearly every stack and say nothing about who asked for the work.
    areasInclusive: rank(new Map([...areaIncl].filter(([k]) => !k.startsWith('node:') && !k.startsWith('('))), top),
  };
}

module.exports = { summarise, areaOf };
