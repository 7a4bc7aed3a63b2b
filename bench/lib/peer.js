'use strict';
/**
 * The peer workload (the same as ejabberd's load.mjs in ../shared/peers/ejabberd): each
 * sender, on its own persistent connection, keeps at most N messages that its receiver(s) have
 * not yet received; latency is send → receive in this process; lost = sent − received after
 * a drain. Every message has its own clientId, so a duplicate is a second arrival of the same
 * clientId at the same recipient.
 *
 * Over socket.io a sender emits `message.send` and does not wait for the ack (the ack is
 * checked for errors only). Over REST a slot is free again once the message was received AND
 * its HTTP response came back (an HTTP client cannot reuse a connection before). For a group
 * a message counts as received when every other member got it.
 */
const { performance } = require('node:perf_hooks');
const { JsonClient } = require('./http');
const { Samples } = require('./stats');

const now = () => performance.now();
const PEER_TEXT = 'hello there, this is a typical short direct message with a link example.org/x';
/** The peer's text without its link, about as long (the "no link" phase). */
const NO_LINK_TEXT = 'hello there, this is a typical short direct message with no link in it at all';
/**
 * The peer's text with a URL never seen before: `k` is unique per message of the phase and
 * `run` per run (the run's database and Redis prefix are fresh too), so every scan misses the
 * link cache.
 */
const newLinkText = (run) => (k) => `hello there, this is a typical short direct message with a link shop${k}-${run}.example.net/deal/${k}`;

/** Matches arrivals on recipients' sockets to sends; one instance for the whole run. */
class PeerTracker {
  constructor() {
    this.reset();
  }

  reset(tEnd = Infinity) {
    this.pending = new Map(); // clientId -> { t0, lane, need: Set(userId), got: Set(userId) }
    this.latency = new Samples();
    this.tEnd = tEnd;
    this.deliveries = 0;
    this.deliveriesInWindow = 0;
    this.messages = 0; // received by every recipient
    this.messagesInWindow = 0;
    this.duplicates = 0;
    this.foreign = 0;
    this.done = new Map(); // clientId -> recipients that got it (kept to see late duplicates)
  }

  expect(clientId, lane, recipients) {
    this.pending.set(clientId, { t0: now(), lane, need: new Set(recipients), got: new Set() });
  }

  /** The send failed (error ack / non-2xx): nobody should get it; the slot is free again. */
  cancel(clientId) {
    const p = this.pending.get(clientId);
    if (!p) return;
    this.pending.delete(clientId);
    p.lane.inFlight--;
    p.lane.failed++;
    p.lane.wake();
  }

  attach(socket, userId) {
    socket.on('message.created', (payload) => {
      const t = now();
      const m = payload && payload.message;
      if (!m || m.senderId === userId) return;
      const p = this.pending.get(m.clientId);
      if (!p) {
        const d = this.done.get(m.clientId);
        if (d && d.has(userId)) this.duplicates++;
        else this.foreign++;
        return;
      }
      if (!p.need.has(userId)) {
        this.foreign++;
        return;
      }
      if (p.got.has(userId)) {
        this.duplicates++;
        return;
      }
      p.got.add(userId);
      this.deliveries++;
      if (t <= this.tEnd) this.deliveriesInWindow++;
      this.latency.add(t - p.t0);
      if (p.got.size === p.need.size) {
        this.pending.delete(m.clientId);
        this.done.set(m.clientId, p.got);
        this.messages++;
        if (t <= this.tEnd) this.messagesInWindow++;
        p.lane.received++;
        p.lane.release(m.clientId);
      }
    });
  }
}

/**
 * Runs the workload for `seconds` over `mode` ('socket' | 'rest'). `lanes`: [{ sender: {id,
 * token}, socket, conversationId, recipients: [userId] }]. Returns counts after a drain of up
 * to `drainMs`; `onEnd` is called the moment sending stops (the link-scan backlog is read there).
 */
async function peerLoad({ mode, url, lanes, tracker, n, seconds, tag, drainMs = 10000, onEnd, text = PEER_TEXT }) {
  const tStart = now();
  const tEnd = tStart + seconds * 1000;
  tracker.reset(tEnd);
  const errors = {};
  const fail = (k) => (errors[k] = (errors[k] || 0) + 1);
  const clients = mode === 'rest' ? lanes.map(() => new JsonClient(url, n)) : [];
  const textOf = typeof text === 'function' ? text : () => text;
  let seq = 0;
  const state = lanes.map((lane, i) => {
    const s = { i, sent: 0, received: 0, failed: 0, inFlight: 0, waiter: null, httpOpen: new Set(), gotBeforeResponse: new Set() };
    s.wake = () => {
      const w = s.waiter;
      s.waiter = null;
      if (w) w();
    };
    // A slot frees when the message was received (and, over REST, its response came back).
    s.release = (clientId) => {
      if (mode === 'rest' && s.httpOpen.has(clientId)) {
        s.gotBeforeResponse.add(clientId);
        return;
      }
      s.inFlight--;
      s.wake();
    };
    return s;
  });
  await Promise.all(
    lanes.map(async (lane, i) => {
      const s = state[i];
      for (let k = 0; now() < tEnd; k++) {
        while (s.inFlight >= n && now() < tEnd) await new Promise((r) => (s.waiter = r) && setTimeout(r, 2000));
        if (now() >= tEnd) break;
        const clientId = `${tag}-${i}-${k}`;
        s.sent++;
        s.inFlight++;
        tracker.expect(clientId, s, lane.recipients);
        const body = textOf(seq++);
        if (mode === 'socket') {
          lane.socket.emit('message.send', { conversationId: lane.conversationId, clientId, text: body }, (ack) => {
            if (!(ack && ack.message)) {
              fail((ack && ack.error && ack.error.code) || 'no_ack');
              tracker.cancel(clientId);
            }
          });
        } else {
          s.httpOpen.add(clientId);
          clients[i]
            .post(`/v1/conversations/${lane.conversationId}/messages`, { clientId, text: body }, lane.sender.token)
            .then(
              (res) => res.status,
              (err) => err.code || 'network',
            )
            .then((status) => {
              s.httpOpen.delete(clientId);
              if (status !== 201) {
                fail(status);
                tracker.cancel(clientId);
              } else if (s.gotBeforeResponse.delete(clientId)) {
                s.inFlight--;
                s.wake();
              }
            });
        }
      }
    }),
  );
  const sendEnd = now();
  const sentTotal = () => state.reduce((a, s) => a + s.sent - s.failed, 0);
  const endInfo = onEnd ? onEnd({ sent: sentTotal }) : null;
  const drainUntil = now() + drainMs;
  while (tracker.messages < sentTotal() && now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  for (const c of clients) c.close();
  const sent = sentTotal();
  const recipientsPer = lanes[0].recipients.length;
  return {
    mode,
    n,
    seconds,
    sent,
    attempted: state.reduce((a, s) => a + s.sent, 0),
    received: tracker.messages,
    lost: sent - tracker.messages,
    duplicates: tracker.duplicates,
    foreign: tracker.foreign,
    errors,
    rate: tracker.messagesInWindow / seconds, // delivered msgs/s (received by every recipient)
    deliveriesPerSecond: tracker.deliveriesInWindow / seconds,
    recipientsPer,
    latency: tracker.latency,
    sendSeconds: (sendEnd - tStart) / 1000,
    end: await endInfo,
  };
}

module.exports = { NO_LINK_TEXT, PEER_TEXT, PeerTracker, newLinkText, peerLoad };
