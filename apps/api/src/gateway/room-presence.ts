import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

/** How long a process pushes through Redis for every user after it starts or its subscription reconnects. */
const GRACE_MS = 3000;
/** Every process says it is alive (with its sequence number) this often. */
const PING_MS = 1000;
/** A peer not heard from for this long is forgotten (then the subscriber count keeps us careful). */
const PEER_TTL_MS = 5000;

/** Longest a handshake (or the shutdown) waits for an announcement to reach Redis. */
const ANNOUNCE_WAIT_MS = 1000;

/** Settles when `p` settles or after `ms`, never rejects. */
function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(timer));
}

type PresenceMessage =
  | { u: string; t: 'state'; s: number; users: string[] }
  | { u: string; t: 'join' | 'leave'; s: number; user: string }
  | { u: string; t: 'ping'; s: number }
  | { u: string; t: 'hello' }
  | { u: string; t: 'bye' };

interface Peer {
  users: Set<string>;
  seq: number;
  seen: number;
}

/**
 * Which users have sockets on OTHER API processes, so that a push to a user whose sockets are
 * all on this process is emitted locally, without the Redis adapter's publish (encode, a
 * write, Redis fanning it out, and every process, this one included, reading and decoding it
 * back). Delivery stays exactly once either way: a local-only emit reaches this process's
 * sockets, a published one reaches this process's sockets here and the others' there.
 *
 * Each API process announces on `<key>-presence#` the users it holds: `join` before the
 * first socket of a user is admitted (the handshake waits until Redis took the announcement,
 * so a peer has it in its socket buffer before the client can be told it is connected),
 * `leave` after the last one went, its whole `state` when it starts, reconnects or a peer
 * asks (`hello`), and a `ping` every second carrying its sequence number. Anything uncertain
 * makes this process push through Redis for everyone (the old path): the first seconds after
 * it starts or its subscription reconnects, a peer whose messages arrived with a gap or whose
 * state it has not got yet, or more subscribers on the channel than peers it knows (a process
 * it has not heard from). A peer unheard of for PEER_TTL_MS is forgotten; if it still lives,
 * the subscriber count keeps this process careful until its next ping brings its state back.
 */
@Injectable()
export class RoomPresence {
  private readonly logger = new Logger(RoomPresence.name);
  readonly uid = randomBytes(8).toString('hex');
  private pub: Redis | null = null;
  private channel = '';
  private seq = 0;
  /** Users with sockets admitted on this process, and how many. */
  private readonly local = new Map<string, number>();
  /** Users' join announcements, settled once Redis took them (a second socket waits for the first's). */
  private readonly joining = new Map<string, Promise<void>>();
  private readonly peers = new Map<string, Peer>();
  /** Users and how many peers hold them. */
  private readonly remote = new Map<string, number>();
  /** Peers heard from whose state we lack (uid → last heard). */
  private readonly unknown = new Map<string, number>();
  private carefulUntil = Date.now() + GRACE_MS;
  private subscribers = Infinity;
  private lastHello = 0;
  private timer: NodeJS.Timeout | null = null;

  private graceMs = GRACE_MS;

  /** Starts announcing and listening, on the Redis adapter's clients (`sub` already in subscriber mode is fine). */
  start(pub: Redis, sub: Redis, key: string, opts: { graceMs?: number } = {}): void {
    this.pub = pub;
    this.channel = `${key}-presence#`;
    this.graceMs = opts.graceMs ?? GRACE_MS;
    this.carefulUntil = Date.now() + this.graceMs;
    sub.on('message', (channel: string, raw: string) => {
      if (channel === this.channel) this.receive(raw);
    });
    sub.on('ready', () => {
      // (Re)subscribed after a reconnect: we may have missed announcements; careful until states come back.
      this.peers.clear();
      this.remote.clear();
      this.carefulUntil = Date.now() + this.graceMs;
      this.announceState();
      this.publish({ u: this.uid, t: 'hello' });
    });
    void sub.subscribe(this.channel).then(
      () => {
        this.announceState();
        this.publish({ u: this.uid, t: 'hello' });
      },
      () => undefined,
    );
    this.timer = setInterval(() => this.tick(), PING_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.pub) await withTimeout(this.publishNow({ u: this.uid, t: 'bye' }), ANNOUNCE_WAIT_MS);
    this.pub = null;
  }

  /** True when a push to this user may skip Redis: no other API process holds a socket of theirs. */
  localOnly(userId: string): boolean {
    if (this.pub === null || this.careful()) return false;
    return !this.remote.get(userId);
  }

  private careful(): boolean {
    return Date.now() < this.carefulUntil || this.unknown.size > 0 || this.subscribers - 1 > this.peers.size;
  }

  /** Before a socket of this user is admitted: announce the user if it is new here, and wait until Redis took it. */
  async admit(userId: string): Promise<void> {
    const n = this.local.get(userId) ?? 0;
    this.local.set(userId, n + 1);
    if (n === 0) {
      this.seq++;
      // Redis down or slow: the handshake goes on after a while; the peers see the gap in our
      // sequence at our next ping and stay careful until they have our state again.
      this.joining.set(userId, withTimeout(this.publishNow({ u: this.uid, t: 'join', s: this.seq, user: userId }), ANNOUNCE_WAIT_MS));
    }
    await this.joining.get(userId);
  }

  /** After an admitted socket of this user went. */
  release(userId: string): void {
    const n = this.local.get(userId) ?? 0;
    if (n > 1) {
      this.local.set(userId, n - 1);
      return;
    }
    this.local.delete(userId);
    this.joining.delete(userId);
    this.seq++;
    this.publish({ u: this.uid, t: 'leave', s: this.seq, user: userId });
  }

  private tick(): void {
    this.publish({ u: this.uid, t: 'ping', s: this.seq });
    const now = Date.now();
    for (const [uid, peer] of this.peers) if (now - peer.seen > PEER_TTL_MS) this.forget(uid);
    for (const [uid, seen] of this.unknown) if (now - seen > PEER_TTL_MS) this.unknown.delete(uid);
    if (this.pub) {
      this.pub.call('PUBSUB', 'NUMSUB', this.channel).then(
        (r) => {
          this.subscribers = Number((r as unknown[])[1] ?? Infinity);
          if (this.subscribers - 1 > this.peers.size) this.hello();
        },
        () => (this.subscribers = Infinity),
      );
    }
  }

  private receive(raw: string): void {
    let m: PresenceMessage;
    try {
      m = JSON.parse(raw);
    } catch {
      return;
    }
    if (!m || typeof m.u !== 'string' || m.u === this.uid) return;
    const now = Date.now();
    if (m.t === 'hello') {
      this.announceState();
      return;
    }
    if (m.t === 'bye') {
      this.forget(m.u);
      this.unknown.delete(m.u);
      return;
    }
    if (m.t === 'state') {
      this.forget(m.u);
      this.unknown.delete(m.u);
      const peer: Peer = { users: new Set(m.users), seq: m.s, seen: now };
      this.peers.set(m.u, peer);
      for (const user of peer.users) this.remote.set(user, (this.remote.get(user) ?? 0) + 1);
      return;
    }
    const peer = this.peers.get(m.u);
    const expected = m.t === 'ping' ? peer?.seq : (peer?.seq ?? NaN) + 1;
    if (!peer || m.s !== expected) {
      // A peer we have no state for, or one whose announcements arrived with a gap: careful until its state comes.
      this.forget(m.u);
      this.unknown.set(m.u, now);
      this.hello();
      return;
    }
    peer.seen = now;
    if (m.t === 'ping') return;
    peer.seq = m.s;
    if (m.t === 'join' && !peer.users.has(m.user)) {
      peer.users.add(m.user);
      this.remote.set(m.user, (this.remote.get(m.user) ?? 0) + 1);
    } else if (m.t === 'leave' && peer.users.delete(m.user)) {
      const n = (this.remote.get(m.user) ?? 1) - 1;
      if (n > 0) this.remote.set(m.user, n);
      else this.remote.delete(m.user);
    }
  }

  private forget(uid: string): void {
    const peer = this.peers.get(uid);
    if (!peer) return;
    this.peers.delete(uid);
    for (const user of peer.users) {
      const n = (this.remote.get(user) ?? 1) - 1;
      if (n > 0) this.remote.set(user, n);
      else this.remote.delete(user);
    }
  }

  private hello(): void {
    if (Date.now() - this.lastHello < PING_MS) return;
    this.lastHello = Date.now();
    this.publish({ u: this.uid, t: 'hello' });
  }

  private announceState(): void {
    this.publish({ u: this.uid, t: 'state', s: this.seq, users: [...this.local.keys()] });
  }

  private publish(m: PresenceMessage): void {
    void this.publishNow(m).catch(() => undefined);
  }

  /** Straight to Redis (not the adapter's batched publish), in order with everything else on this connection. */
  private async publishNow(m: PresenceMessage): Promise<void> {
    if (!this.pub) return;
    try {
      await this.pub.call('PUBLISH', this.channel, JSON.stringify(m));
    } catch (err) {
      this.logger.debug?.(`presence publish failed: ${(err as Error).message}`);
      throw err;
    }
  }
}
