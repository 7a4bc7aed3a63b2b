'use strict';
/**
 * The load generator: closed loops (throughput at a fixed concurrency) and an open loop
 * (a fixed send rate, for delivery latency). Deliberately small: one process, keep-alive
 * HTTP, one socket per sender, no per-request allocations beyond the body.
 */
const { performance } = require('node:perf_hooks');
const { Samples } = require('./stats');

const now = () => performance.now();
const sleepUntil = (t) => new Promise((r) => setTimeout(r, Math.max(0, t - now())));
const textFor = (n) => `benchmark message number ${n}: the quick brown fox jumps over the lazy dog`;

function countError(errors, key) {
  errors[key] = (errors[key] || 0) + 1;
}

function window(warmupS, seconds) {
  const start = now();
  const from = start + warmupS * 1000;
  return { start, from, end: from + seconds * 1000, seconds };
}

/** Completions inside [from, end] count; their latency is sampled. */
function recorder(w) {
  const latency = new Samples();
  const errors = {};
  let ok = 0;
  return {
    latency,
    errors,
    done(t0, t1) {
      if (t1 >= w.from && t1 <= w.end) {
        ok++;
        latency.add(t1 - t0);
      }
    },
    fail(key) {
      countError(errors, key);
    },
    result() {
      return { rate: ok / w.seconds, ok, latency, errors };
    },
  };
}

/**
 * `lanes`: [{sender: {id, token}, conversations: [{id, recipients: [userId]}]}]. Each lane
 * sends one REST message at a time, round-robin over its conversations.
 */
async function restClosedLoop({ http, lanes, tracker, tag, warmup, seconds, text = textFor }) {
  const w = window(warmup, seconds);
  const rec = recorder(w);
  tracker && tracker.measureAfter(w.from);
  await Promise.all(
    lanes.map(async (lane, i) => {
      for (let k = 0; now() < w.end; k++) {
        const c = lane.conversations[k % lane.conversations.length];
        const clientId = `${tag}-${i}-${k}`;
        tracker && tracker.expect(clientId, c.recipients);
        const t0 = now();
        let res;
        try {
          res = await http.post(`/v1/conversations/${c.id}/messages`, { clientId, text: text(k, i) }, lane.sender.token);
        } catch (err) {
          res = { status: err.code || 'network' };
        }
        if (res.status === 201) rec.done(t0, now());
        else {
          rec.fail(res.status);
          tracker && tracker.cancel(clientId);
        }
      }
    }),
  );
  return rec.result();
}

/** Socket `message.send` with an ack; each lane keeps `windowSize` sends in flight. */
async function socketClosedLoop({ lanes, tracker, tag, warmup, seconds, windowSize, text = textFor }) {
  const w = window(warmup, seconds);
  const rec = recorder(w);
  tracker && tracker.measureAfter(w.from);
  const lanesDone = lanes.map(
    (lane, i) =>
      new Promise((resolve) => {
        let k = 0;
        let inFlight = 0;
        const sendOne = () => {
          if (now() >= w.end) {
            if (inFlight === 0) resolve();
            return;
          }
          const n = k++;
          const c = lane.conversations[n % lane.conversations.length];
          const clientId = `${tag}-${i}-${n}`;
          tracker && tracker.expect(clientId, c.recipients);
          const t0 = now();
          inFlight++;
          lane.socket.emit('message.send', { conversationId: c.id, clientId, text: text(n, i) }, (ack) => {
            inFlight--;
            if (ack && ack.message) rec.done(t0, now());
            else {
              rec.fail((ack && ack.error && ack.error.code) || 'no_ack');
              tracker && tracker.cancel(clientId);
            }
            sendOne();
          });
        };
        for (let j = 0; j < windowSize; j++) sendOne();
      }),
  );
  await withDeadline(Promise.all(lanesDone), w.end - now() + 30000, 'socket sends never acknowledged');
  return rec.result();
}

/**
 * Open loop: the lanes together send `rate` messages/s over sockets for `warmup + seconds`, each at
 * evenly spaced times, without waiting for acks (so a slow ack cannot slow the offered load).
 */
async function socketOpenLoop({ lanes, tracker, tag, warmup = 0, seconds, rate, text = textFor }) {
  const start = now() + 50;
  const end = start + (warmup + seconds) * 1000;
  const interval = (1000 * lanes.length) / rate;
  const acks = [];
  const errors = {};
  let sent = 0;
  // Latency is sampled after the warm-up; every send, warm-up included, counts for losses.
  tracker.measureAfter(start + warmup * 1000);
  await Promise.all(
    lanes.map(async (lane, i) => {
      for (let n = 0; ; n++) {
        const t = start + (i * interval) / lanes.length + n * interval;
        if (t >= end) break;
        await sleepUntil(t);
        const c = lane.conversations[n % lane.conversations.length];
        const clientId = `${tag}-${i}-${n}`;
        tracker.expect(clientId, c.recipients);
        sent++;
        acks.push(
          new Promise((resolve) => {
            lane.socket.emit('message.send', { conversationId: c.id, clientId, text: text(n, i) }, (ack) => {
              if (!(ack && ack.message)) {
                countError(errors, (ack && ack.error && ack.error.code) || 'no_ack');
                tracker.cancel(clientId);
              }
              resolve();
            });
          }),
        );
      }
    }),
  );
  await withDeadline(Promise.all(acks), 30000, 'open-loop sends never acknowledged');
  return { sent, offeredRate: rate, seconds, errors };
}

function withDeadline(promise, ms, what) {
  let t;
  return Promise.race([promise, new Promise((_, reject) => (t = setTimeout(() => reject(new Error(what)), ms)))]).finally(() =>
    clearTimeout(t),
  );
}

module.exports = { restClosedLoop, socketClosedLoop, socketOpenLoop, textFor, now, sleepUntil, withDeadline };
