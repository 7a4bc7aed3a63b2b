'use strict';
/** Users, follows, conversations and sockets for the benchmark, made through the public API. */
const { performance } = require('node:perf_hooks');
const { io } = require('socket.io-client');
const { expectStatus } = require('./http');
const { Samples } = require('./stats');

async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

async function registerUsers(http, prefix, n) {
  const handles = Array.from({ length: n }, (_, i) => `${prefix}_${i}`);
  return inBatches(handles, 8, async (handle) => {
    const body = expectStatus(await http.post('/v1/auth/register', { handle, displayName: handle, password: 'benchmark-password-1' }), 201);
    return { id: body.user.id, handle, token: body.accessToken };
  });
}

async function follow(http, who, whom) {
  expectStatus(await http.put(`/v1/users/${whom.id}/follow`, undefined, who.token), 204, 200);
}

async function conversation(http, creator, others) {
  const body = expectStatus(await http.post('/v1/conversations', { participantIds: others.map((u) => u.id) }, creator.token), 201, 200);
  for (const m of body.members) {
    if (m.state !== 'active') throw new Error(`member ${m.userId} is ${m.state}: the benchmark needs active members`);
  }
  return body.id;
}

/**
 * `senders` users, each in `perSender` direct conversations with its own recipients; everyone
 * follows each other, so no conversation is a message request.
 */
async function directPairs(http, prefix, senders, perSender) {
  const users = await registerUsers(http, `${prefix}d`, senders * (perSender + 1));
  const pairs = [];
  for (let s = 0; s < senders; s++) {
    const sender = users[s];
    const recipients = users.slice(senders + s * perSender, senders + (s + 1) * perSender);
    pairs.push({ sender, recipients, conversations: [] });
  }
  await inBatches(pairs, 4, async (p) => {
    for (const r of p.recipients) {
      await follow(http, p.sender, r);
      await follow(http, r, p.sender);
      p.conversations.push({ id: await conversation(http, p.sender, [r]), recipient: r });
    }
  });
  return pairs;
}

/** A group of `size` members in all (the contract's maximum is 15); members follow the creator. */
async function group(http, prefix, size) {
  const users = await registerUsers(http, `${prefix}g`, size);
  const [creator, ...rest] = users;
  await inBatches(rest, 7, (u) => follow(http, u, creator));
  return { id: await conversation(http, creator, rest), members: users };
}

function connect(url, token) {
  const socket = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 15000,
    // Connect as the SDK does by default, positions (docs/API.md §6, rule 2b), so the send writes
    // no member rows for these users; BENCH_STREAM=v1: per-user cursors, the old mode.
    auth: process.env.BENCH_STREAM === 'v1' ? { token } : { token, stream: 'positions' },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`socket refused: ${err.message} ${JSON.stringify(err.data || {})}`));
    });
  });
}

/**
 * Counts every `message.created` a recipient's socket gets for a tracked send, with the time
 * from the send to its arrival. A recipient that gets the same message twice is a duplicate;
 * one that never gets it is a loss. The sender's own echo is not a delivery.
 */
class DeliveryTracker {
  constructor() {
    this.sent = new Map();
    this.reset();
  }

  reset() {
    this.sent.clear();
    this.latency = new Samples();
    this.expected = 0;
    this.delivered = 0;
    this.duplicates = 0;
    this.untracked = 0;
    this.measureFrom = 0;
    this.trace = process.env.BENCH_TRACE ? [] : null;
  }

  /** Only sends issued after `t` (performance.now ms) count towards latency samples. */
  measureAfter(t) {
    this.measureFrom = t;
  }

  expect(clientId, recipients, at = performance.now()) {
    this.sent.set(clientId, { at, recipients: new Set(recipients), got: new Set() });
    this.expected += recipients.length;
  }

  /** The send failed (no 201/ack): nobody should get it. */
  cancel(clientId) {
    const s = this.sent.get(clientId);
    if (!s) return;
    this.expected -= s.recipients.size;
    this.sent.delete(clientId);
  }

  attach(socket, userId) {
    socket.on('message.created', (payload) => {
      const now = performance.now();
      const m = payload && payload.message;
      if (!m || m.senderId === userId) return;
      const s = this.sent.get(m.clientId);
      if (!s || !s.recipients.has(userId)) {
        this.untracked++;
        return;
      }
      if (s.got.has(userId)) {
        this.duplicates++;
        return;
      }
      s.got.add(userId);
      this.delivered++;
      if (s.at >= this.measureFrom) {
        this.latency.add(now - s.at);
        if (this.trace) this.trace.push([Math.round(s.at), +(now - s.at).toFixed(2)]);
      }
    });
  }

  /** Waits until every expected delivery arrived or `timeoutMs` passed. */
  async settle(timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    while (this.delivered < this.expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return { expected: this.expected, delivered: this.delivered, lost: this.expected - this.delivered, duplicates: this.duplicates };
  }
}

module.exports = { DeliveryTracker, connect, conversation, directPairs, follow, group, inBatches, registerUsers };
