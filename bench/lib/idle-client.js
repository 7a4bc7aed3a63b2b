'use strict';
/**
 * One of the idle-socket generator processes: opens COUNT socket.io connections to URL
 * (tokens from TOKENS, a JSON array, round-robin from OFFSET), BATCH at a time, prints
 * `connected <n> failed <m> dropped <d>` (d: connected, then closed by the server, e.g. by its
 * per-user socket quota) and keeps them open, idle, until SIGTERM or stdin closes.
 * Started with a raised `ulimit -n` by the benchmark (one process cannot hold 10,000).
 */
const { io } = require('socket.io-client');

const url = process.env.URL;
const tokens = JSON.parse(process.env.TOKENS);
const count = Number(process.env.COUNT);
const batch = Number(process.env.BATCH || 50);
const offset = Number(process.env.OFFSET || 0);
const sockets = [];
let failed = 0;
let dropped = 0;
let quitting = false;

function connect(token) {
  const socket = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 30000,
    // Connect as the SDK does by default, positions (docs/API.md §6, rule 2b), so the send writes
    // no member rows for these users; BENCH_STREAM=v1: per-user cursors, the old mode.
    auth: process.env.BENCH_STREAM === 'v1' ? { token } : { token, stream: 'positions' },
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      sockets.push(socket);
      socket.once('disconnect', () => {
        if (!quitting) dropped++;
      });
      resolve();
    });
    socket.once('connect_error', () => {
      failed++;
      socket.close();
      resolve();
    });
  });
}

(async () => {
  for (let i = 0; i < count; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => connect(tokens[(offset + i + j) % tokens.length])));
  }
  // A moment for the server's quota (it admits a socket after its connect) to close any it closes.
  await new Promise((r) => setTimeout(r, 500));
  process.stdout.write(`connected ${sockets.length} failed ${failed} dropped ${dropped}\n`);
})();

const quit = () => {
  quitting = true;
  for (const s of sockets) s.close();
  process.exit(0);
};
process.on('SIGTERM', quit);
process.stdin.on('end', quit);
process.stdin.resume();
