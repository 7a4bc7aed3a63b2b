'use strict';
/**
 * Preloaded into the API process by the benchmark (`node -r bench/lib/profile-hook.js`).
 * The same V8 CPU profiler as `node --cpu-prof`, but started and stopped over the IPC
 * channel, so the profile covers the load window only (not boot, not shutdown). Signals
 * cannot be used: Nest's shutdown hooks treat SIGUSR2 as "shut down". It also answers
 * `{memory: true}` with process.memoryUsage() after a full GC, and measures the event loop's
 * delay between `{loopDelay: 'start'}` and `{loopDelay: 'stop'}`.
 */
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { monitorEventLoopDelay } = require('node:perf_hooks');

let session = null;
let loopDelay = null;

function post(s, method, params) {
  return new Promise((resolve, reject) => s.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
}

process.on('message', async (msg) => {
  if (!msg || typeof msg !== 'object') return;
  if (msg.memory) {
    // Collect first (the benchmark starts node with --expose-gc), so the heap figure is live data.
    if (typeof global.gc === 'function') global.gc();
    process.send({ memory: process.memoryUsage() });
    return;
  }
  if (msg.loopDelay === 'start') {
    loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    process.send({ loopDelay: 'started' });
    return;
  }
  if (msg.loopDelay === 'stop' && loopDelay) {
    loopDelay.disable();
    const ms = (ns) => ns / 1e6;
    process.send({ loopDelay: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) } });
    loopDelay = null;
    return;
  }
  if (!msg.profile) return;
  try {
    if (msg.profile === 'start' && !session) {
      session = new inspector.Session();
      session.connect();
      await post(session, 'Profiler.enable');
      await post(session, 'Profiler.setSamplingInterval', { interval: msg.intervalUs || 1000 });
      await post(session, 'Profiler.start');
      process.send({ profile: 'started' });
    } else if (msg.profile === 'stop' && session) {
      const s = session;
      session = null;
      const { profile } = await post(s, 'Profiler.stop');
      s.disconnect();
      writeFileSync(msg.file, JSON.stringify(profile));
      process.send({ profile: 'written', file: msg.file });
    }
  } catch (err) {
    process.send({ profile: 'error', message: String((err && err.message) || err) });
  }
});
// The IPC channel must not keep a worker-only process alive on its own.
if (process.channel) process.channel.unref();
