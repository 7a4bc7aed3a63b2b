'use strict';
const os = require('node:os');
const { readFileSync } = require('node:fs');
const { execFileSync } = require('node:child_process');

/** Latency samples in ms; percentiles by nearest rank. */
class Samples {
  constructor() {
    this.values = [];
  }
  add(ms) {
    this.values.push(ms);
  }
  get count() {
    return this.values.length;
  }
  pct(p) {
    if (this.values.length === 0) return NaN;
    if (!this.sorted || this.sorted.length !== this.values.length) this.sorted = Float64Array.from(this.values).sort();
    const rank = Math.min(this.sorted.length - 1, Math.max(0, Math.ceil((p / 100) * this.sorted.length) - 1));
    return this.sorted[rank];
  }
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
function machineJiffies() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] || 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

function cmd(bin, args) {
  try {
    return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function machine(pgVersion, redisVersion) {
  const cpu = os.cpus();
  return {
    cpuModel: (cpu[0] && cpu[0].model.trim()) || 'unknown',
    cores: cpu.length,
    ramGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: pgVersion,
    redis: redisVersion,
    loadAvg: os.loadavg(),
  };
}

const fmt = {
  int: (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'),
  ms: (n) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)) : 'n/a'),
  ratio: (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a'),
  pct: (n) => (Number.isFinite(n) ? `${n.toFixed(1)}%` : 'n/a'),
};

/** A plain-text table (console) and the same as Markdown. */
function table(headers, rows) {
  const all = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  const text = [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
  const md = [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...all.slice(1).map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  return { text, md };
}

module.exports = { Samples, cmd, fmt, machine, machineJiffies, table };
