'use strict';
/**
 * CPU_PROBE for the peer's load.mjs: prints one JSON line with the CPU seconds so far of the
 * ejabberd processes, of the PostgreSQL backends serving database `ejabberd`, and of the whole
 * machine (busy), read from /proc at the start and at the end of the peer's load window.
 */
const { readdirSync, readFileSync } = require('node:fs');
const { ejabberdPids } = require('./ejabberd');
const { cpuSeconds } = require('./product');
const { machineJiffies } = require('./stats');

let postgres = 0;
for (const d of readdirSync('/proc')) {
  if (!/^\d+$/.test(d)) continue;
  try {
    const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8');
    if (/^postgres: .*\bpostgres ejabberd\b/.test(cmdline)) postgres += cpuSeconds(Number(d));
  } catch {
    // gone
  }
}
const ejabberd = ejabberdPids().reduce((s, pid) => s + cpuSeconds(pid), 0);
process.stdout.write(`${JSON.stringify({ t: Date.now() / 1000, ejabberd, postgres, machine: machineJiffies().busy })}\n`);
