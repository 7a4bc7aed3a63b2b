import { io, type Socket } from 'socket.io-client';
import { ApiError, AuthError, ClientStateError, CursorExpiredError, RateLimitedError, ValidationError, isTransient } from './errors';
import {
  Emitter,
  SERVER_EVENT_TYPES,
  type ClientEventName,
  type Handler,
  type Me,
  type Message,
  type ServerEvent,
  type TypingEvent,
} from './events';
import { newClientId } from './ids';
import { createRest, unwrap, type RestClient } from './rest';
import { Session } from './session';
import { MemoryStorage, type ClientStorage } from './storage';

export interface ClientOptions {
  /** The API origin, e.g. `http://127.0.0.1:3000` (in a browser served by the API: `location.origin`). */
  baseUrl: string;
  /** Where the session, cursor and outbox live (default: memory, i.e. nothing survives a restart). */
  storage?: ClientStorage;
  fetch?: typeof fetch;
  /** Refresh the access token this long before it expires (default 60 s; at most a fifth of its life). */
  refreshLeewaySeconds?: number;
  /** Socket reconnect backoff bounds (defaults 250 ms … 5 s). */
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
  /** REST timeout per attempt (default 15 s). */
  requestTimeoutMs?: number;
  /**
   * Which cursors the client keeps (docs/API.md §6): `positions` (default), stream positions
   * (`p1.…`) with the set of positions it applied live above the cursor (rule 2b), which costs
   * the server no per-member rows; `v1`, the per-user consecutive cursors of rule 2. Each mode
   * keeps its own stored cursor.
   */
  stream?: 'v1' | 'positions';
}

/** What a positions client stores after each apply: the horizon sync returned, and what it applied above it. */
interface PositionsState {
  cursor: string;
  seen: string[];
}

interface OutboxItem {
  clientId: string;
  conversationId: string;
  text: string;
  replyTo?: number;
  queuedAt: string;
}

const CURSOR = 'cursor';
const POSITIONS = 'positions';
/** A positions client that applied this many live events since its last sync syncs (the set of seen positions stays small). */
const MAX_SEEN = 256;

/** `p1.<tx>.<id>` → [tx, id]; null for anything else. */
function position(cursor: string): [bigint, bigint] | null {
  const m = /^p1\.(\d+)\.(\d+)$/.exec(cursor);
  return m ? [BigInt(m[1]), BigInt(m[2])] : null;
}
/** Whether position a is at or below position b. */
function atOrBelow(a: [bigint, bigint], b: [bigint, bigint]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);
}
const OUTBOX = 'outbox';
const OWNER = 'owner';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The Backchannel client: a session that refreshes itself, a socket that reconnects with the
 * current token, a persistent cursor with sync-before-live (each event once, in order), and
 * an outbox of sends retried with the same clientId until the server answers.
 *
 * ```ts
 * const bc = new BackchannelClient({ baseUrl, storage: new LocalStorageStorage() });
 * if (!(await bc.restore())) await bc.signIn('alice_1', 'password…');
 * bc.on('message.created', (e) => show(e.message));
 * await bc.start();
 * await bc.send(conversationId, 'hi');
 * ```
 */
export class BackchannelClient {
  readonly api: RestClient;
  readonly session: Session;
  private readonly storage: ClientStorage;
  private readonly emitter = new Emitter();
  private readonly fetchImpl: typeof fetch;
  private socketRef: Socket | null = null;
  private cursorValue: string | null = null;
  private readonly positions: boolean;
  /** Positions mode: positions above the cursor already applied (from live pushes, or a page not finished). */
  private seen = new Set<string>();
  /** Positions mode: the last message seq applied per conversation (a live message.created must be the next one). */
  private readonly lastSeq = new Map<string, number>();
  /** Positions mode: the highest position applied per message above the cursor (a live message.updated older than it is stale). */
  private readonly lastAt = new Map<string, [bigint, bigint]>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private running = false;
  private outbox: OutboxItem[] = [];
  /** start()'s read of the stored outbox; a send() waits for it so the stored sends stay first. */
  private outboxLoaded: Promise<void> = Promise.resolve();
  private flushing: Promise<void> | null = null;
  private readonly waiters = new Map<string, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly opts: ClientOptions) {
    this.positions = opts.stream !== 'v1';
    this.storage = opts.storage ?? new MemoryStorage();
    this.fetchImpl = opts.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
    this.session = new Session(
      opts.baseUrl.replace(/\/$/, ''),
      this.storage,
      this.fetchImpl,
      (e) => this.onSession(e),
      opts.refreshLeewaySeconds ?? 60,
    );
    this.api = createRest(opts.baseUrl.replace(/\/$/, ''), this.session, this.fetchImpl, opts.requestTimeoutMs);
  }

  // ------------------------------------------------------------------ session

  get user(): Me | null {
    return this.session.user;
  }

  get cursor(): string | null {
    return this.cursorValue;
  }

  /** The live socket (e.g. to observe its state); null before start(). */
  get socket(): Socket | null {
    return this.socketRef;
  }

  on<K extends ClientEventName>(name: K, handler: Handler<K>): () => void {
    return this.emitter.on(name, handler);
  }

  /** Loads a stored session; true when signed in (then call start()). */
  async restore(): Promise<boolean> {
    return this.session.restore();
  }

  async signUp(input: { handle: string; displayName: string; password: string }): Promise<Me> {
    const data = await unwrap(this.api.POST('/v1/auth/register', { body: input }));
    await this.adopt(data.user, data);
    return data.user;
  }

  async signIn(handle: string, password: string): Promise<Me> {
    const data = await unwrap(this.api.POST('/v1/auth/login', { body: { handle, password } }));
    await this.adopt(data.user, data);
    return data.user;
  }

  /** Signs this login out everywhere (its refresh tokens and sockets) and forgets local state. */
  async signOut(): Promise<void> {
    const refreshToken = this.session.refreshToken;
    this.stop();
    if (refreshToken) await this.api.POST('/v1/auth/logout', { body: { refreshToken } }).catch(() => undefined);
    await this.session.clear('signed_out');
    await this.storage.delete(CURSOR);
    await this.storage.delete(POSITIONS);
    await this.storage.delete(OUTBOX);
    await this.storage.delete(OWNER);
    this.forgetCursor();
    this.dropOutbox('Signed out before the server confirmed this message: it was dropped from the outbox and will not be retried.');
  }

  /**
   * Deletes the signed-in account (DELETE /v1/me, confirmed with its password; none for an
   * account without one), then forgets local state as signOut does. The session event says
   * `reason: 'account_deleted'`. A wrong password throws (401 invalid_credentials) and changes nothing.
   */
  async deleteAccount(password?: string): Promise<void> {
    await unwrap(this.api.DELETE('/v1/me', { body: password === undefined ? {} : { password } }));
    this.stop();
    await this.session.clear('account_deleted');
    await this.storage.delete(CURSOR);
    await this.storage.delete(OUTBOX);
    await this.storage.delete(OWNER);
    this.cursorValue = null;
    this.dropOutbox(
      'The account was deleted before the server confirmed this message: it was dropped from the outbox and will not be retried.',
    );
  }

  /** Forgets the outbox; each send() still waiting for it rejects with `signed_out` (it will never be sent). */
  private dropOutbox(message: string): void {
    this.outbox = [];
    const waiting = [...this.waiters.values()];
    this.waiters.clear();
    for (const w of waiting) w.reject(new ClientStateError('signed_out', message));
  }

  /** The calls that need the connection: a clear error at once, never a promise that does not settle. */
  private assertStarted(call: string): void {
    if (!this.running) {
      throw new ClientStateError(
        'not_started',
        `${call} needs a started client: call start() first (after signIn(), signUp() or restore()), and not after stop().`,
      );
    }
  }

  /** A session whose cursor and outbox belong to another account starts them afresh. */
  private async adopt(user: Me, tokens: { accessToken: string; refreshToken: string }): Promise<void> {
    const owner = await this.storage.get<string>(OWNER);
    if (owner !== user.id) {
      await this.storage.delete(CURSOR);
      await this.storage.delete(POSITIONS);
      await this.storage.delete(OUTBOX);
      await this.storage.set(OWNER, user.id);
      this.forgetCursor();
      this.outbox = [];
    }
    await this.session.adopt(user, tokens);
  }

  private onSession(e: { signedIn: boolean; reason?: string; tokensChanged: boolean }): void {
    this.emitter.emit('session', { signedIn: e.signedIn, reason: e.reason });
    if (!e.signedIn) {
      this.stop();
      return;
    }
    // A new access token: reopen the socket with it before the old one expires (the server
    // closes a socket when its token does), and resume sends paused on a 401.
    if (this.running && e.tokensChanged && this.socketRef) {
      this.socketRef.disconnect();
      this.socketRef.connect();
    }
    if (this.running) this.kickOutbox();
  }

  // ------------------------------------------------------------------ lifecycle

  /** Connects: loads the cursor and the outbox, syncs from the cursor, then applies live events. */
  async start(): Promise<void> {
    if (this.running) return;
    if (!this.session.signedIn && !(await this.session.restore())) throw new AuthError(401, 'unauthorized', 'Sign in first.');
    this.running = true;
    // send() may be called as soon as start() is (it waits for this): the stored outbox comes first.
    this.outboxLoaded = (async () => {
      this.outbox = (await this.storage.get<OutboxItem[]>(OUTBOX)) ?? [];
    })();
    if (this.positions) {
      const state = (await this.storage.get<PositionsState>(POSITIONS)) ?? null;
      this.cursorValue = state?.cursor ?? null;
      this.seen = new Set(state?.seen ?? []);
    } else {
      this.cursorValue = (await this.storage.get<string>(CURSOR)) ?? null;
    }
    await this.outboxLoaded;
    if (this.cursorValue === null) await this.enqueue(() => this.syncFromCursor());
    this.openSocket();
    this.kickOutbox();
  }

  /** Disconnects and stops timers; the session, cursor and outbox stay in the storage. */
  stop(): void {
    this.running = false;
    this.session.stop();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const s = this.socketRef;
    this.socketRef = null;
    if (s) {
      s.removeAllListeners();
      s.disconnect();
    }
  }

  private openSocket(): void {
    const socket = io(this.opts.baseUrl, {
      path: '/socket.io',
      transports: ['websocket'],
      // Called on every (re)connect attempt, so a reconnect always carries the current token.
      auth: (cb) =>
        cb(this.positions ? { token: this.session.accessToken ?? '', stream: 'positions' } : { token: this.session.accessToken ?? '' }),
      reconnectionDelay: this.opts.reconnectDelayMs ?? 250,
      reconnectionDelayMax: this.opts.reconnectDelayMaxMs ?? 5000,
      timeout: 10000,
      forceNew: true,
    });
    this.socketRef = socket;
    this.emitter.emit('connection', { state: 'connecting' });
    socket.on('connect', () => {
      this.emitter.emit('connection', { state: 'connected' });
      // Sync before anything live counts: live events queue behind it and are then repeats or next.
      void this.enqueue(() => this.syncFromCursor());
      this.kickOutbox();
    });
    socket.on('disconnect', (reason) => {
      this.emitter.emit('connection', { state: 'disconnected', reason });
      // The server closed it (token expired, signed out elsewhere, evicted): socket.io will not retry.
      if (reason === 'io server disconnect' && this.running) this.reconnectSoon(true);
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const code = err.data?.code;
      if (!code) return; // transport error: socket.io retries with backoff by itself
      this.emitter.emit('connection', { state: 'disconnected', reason: code });
      if (code === 'account_suspended') return void this.session.clear('account_suspended');
      this.reconnectSoon(code === 'unauthorized' || code === 'session_revoked');
    });
    socket.on('typing', (e: TypingEvent) => this.emitter.emit('typing', e));
    for (const type of SERVER_EVENT_TYPES) {
      socket.on(type, (e: ServerEvent) => void this.enqueue(() => this.onLive(e)));
    }
  }

  private reconnectSoon(refreshFirst: boolean): void {
    if (this.reconnectTimer || !this.running) return;
    this.reconnectTimer = setTimeout(() => void this.reconnect(refreshFirst), this.opts.reconnectDelayMs ?? 250);
  }

  private async reconnect(refreshFirst: boolean): Promise<void> {
    this.reconnectTimer = null;
    if (!this.running) return;
    if (refreshFirst) {
      try {
        await this.session.refresh();
        return; // onSession reconnects with the new token
      } catch (err) {
        if (err instanceof AuthError) return; // the session ended: signed out
      }
    }
    this.socketRef?.connect();
  }

  // ------------------------------------------------------------------ cursor and sync

  /** Everything that reads or moves the cursor runs one at a time, in arrival order. */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch((error) => this.emitter.emit('warning', { message: 'event handling failed', error }));
    return run;
  }

  /** API.md "Reconnect and sync", rule 2: next → apply; at or below → repeat; above → a gap, sync. */
  private async onLive(e: ServerEvent): Promise<void> {
    if (!this.running || this.cursorValue === null) return;
    if (this.positions) return this.onLivePosition(e);
    const at = BigInt(e.cursor);
    const stored = BigInt(this.cursorValue);
    if (at <= stored) return;
    if (at === stored + 1n) return this.apply(e);
    await this.syncFromCursor();
  }

  /**
   * docs/API.md §6, rule 2b (positions): at or below the cursor, or already applied (`seen`) →
   * a repeat; a message.created that is not its conversation's next seq, or a message.updated
   * of a message not applied yet or older than a change of it already applied → sync first
   * (which applies it in position order, rendered as it is now, once it is below the
   * horizon); anything else → apply. So each message.updated is applied once, and never a
   * stale copy over a newer one.
   */
  private async onLivePosition(e: ServerEvent): Promise<void> {
    const at = position(e.cursor);
    if (!at || this.isRepeat(e.cursor, at)) return;
    if (e.type === 'message.created' || e.type === 'message.updated') {
      const { id, conversationId, seq } = (e as { message: Message }).message;
      const last = this.lastSeq.get(conversationId);
      const prior = this.lastAt.get(id);
      // message.created: not the conversation's next seq. message.updated: of a message whose
      // message.created this client has not applied yet, or older than a change of that message
      // it applied already (pushed by another process, it arrived late: its copy is stale).
      // Either way sync first: sync renders each message as it is now, in position order.
      const early =
        e.type === 'message.created'
          ? last !== seq - 1
          : (last !== undefined && seq > last) || (prior !== undefined && atOrBelow(at, prior));
      if (early) {
        await this.syncFromCursor();
        // Still not applied: its transaction is not below the horizon yet; a later sync brings it.
        if (!this.isRepeat(e.cursor, at)) this.syncSoon();
        return;
      }
    }
    await this.apply(e);
    if (this.seen.size >= MAX_SEEN) this.syncSoon(0);
  }

  private isRepeat(cursor: string, at: [bigint, bigint]): boolean {
    const stored = this.cursorValue === null ? null : position(this.cursorValue);
    return (stored !== null && atOrBelow(at, stored)) || this.seen.has(cursor);
  }

  private syncSoon(delayMs = 200): void {
    if (this.retryTimer || !this.running) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) void this.enqueue(() => this.syncFromCursor());
    }, delayMs);
  }

  private async apply(e: ServerEvent): Promise<void> {
    this.emitter.emit(e.type, e as never);
    this.emitter.emit('event', e);
    if (this.positions) {
      if (e.type === 'message.created' || e.type === 'message.updated') {
        const { id, conversationId, seq } = (e as { message: Message }).message;
        if (e.type === 'message.created' && seq > (this.lastSeq.get(conversationId) ?? 0)) this.lastSeq.set(conversationId, seq);
        const at = position(e.cursor);
        const prior = this.lastAt.get(id);
        if (at && (!prior || !atOrBelow(at, prior))) this.lastAt.set(id, at);
      }
      this.seen.add(e.cursor);
      return this.storePositions();
    }
    this.cursorValue = e.cursor;
    await this.storage.set(CURSOR, e.cursor);
  }

  /** Positions mode: cursor and seen, written together. */
  private async storePositions(): Promise<void> {
    await this.storage.set(POSITIONS, { cursor: this.cursorValue!, seen: [...this.seen] } satisfies PositionsState);
  }

  private forgetCursor(): void {
    this.cursorValue = null;
    this.seen.clear();
    this.lastSeq.clear();
    this.lastAt.clear();
  }

  /** Pages `GET /v1/sync` from the stored cursor until `hasMore` is false; retries while the server is unreachable. */
  private async syncFromCursor(): Promise<void> {
    let applied = 0;
    for (let attempt = 0; this.running;) {
      try {
        const query: { cursor?: string; limit?: number; stream?: 'positions' } =
          this.cursorValue !== null ? { cursor: this.cursorValue } : this.positions ? { stream: 'positions' } : {};
        const page = await unwrap(this.api.GET('/v1/sync', { params: { query } }));
        if (this.cursorValue === null) {
          // First start: "from now on".
          this.cursorValue = page.cursor;
          if (this.positions) await this.storePositions();
          else await this.storage.set(CURSOR, page.cursor);
        }
        if (this.positions) {
          // Apply what live did not; then the cursor moves to the page's end and seen keeps only what lies above it.
          for (const e of page.events as ServerEvent[]) {
            const at = position(e.cursor);
            if (!at || this.isRepeat(e.cursor, at)) continue;
            await this.apply(e);
            applied++;
          }
          const end = position(page.cursor);
          if (end && !this.isRepeat(page.cursor, end)) {
            this.cursorValue = page.cursor;
            for (const p of this.seen) if (atOrBelow(position(p)!, end)) this.seen.delete(p);
            // A live event at or below the cursor is a repeat anyway: no need to remember those.
            for (const [id, p] of this.lastAt) if (atOrBelow(p, end)) this.lastAt.delete(id);
            await this.storePositions();
          }
        } else {
          for (const e of page.events as ServerEvent[]) {
            if (BigInt(e.cursor) <= BigInt(this.cursorValue!)) continue;
            await this.apply(e);
            applied++;
          }
        }
        attempt = 0;
        if (!page.hasMore) {
          this.emitter.emit('synced', { cursor: this.cursorValue, applied });
          return;
        }
      } catch (err) {
        if (err instanceof CursorExpiredError || (err instanceof ValidationError && err.code === 'invalid_cursor')) {
          this.forgetCursor();
          await this.storage.delete(this.positions ? POSITIONS : CURSOR);
          this.emitter.emit('reset', { reason: err.code });
          continue;
        }
        if (err instanceof AuthError && !this.session.signedIn) return;
        if (!isTransient(err) && !(err instanceof AuthError)) throw err;
        // The server is down or restarting: the socket reconnects too, and its connect syncs again.
        await sleep(Math.min(250 * 2 ** attempt++, 3000));
      }
    }
  }

  // ------------------------------------------------------------------ sends

  /**
   * Queues a message: it is stored in the outbox first (with its clientId), then sent, in
   * queue order, and retried with the same clientId through network errors, 5xx, 429 and
   * restarts (a new client on the same storage resumes the outbox at start()). Resolves with
   * the stored message; rejects with the ApiError when a rule refuses it for good. Before
   * start() (or after stop()) it rejects at once with ClientStateError `not_started`, and
   * nothing is queued.
   */
  async send(conversationId: string, text: string, opts: { clientId?: string; replyTo?: number } = {}): Promise<Message> {
    this.assertStarted('send()');
    await this.outboxLoaded;
    const item: OutboxItem = { clientId: opts.clientId ?? newClientId(), conversationId, text, queuedAt: new Date().toISOString() };
    if (opts.replyTo !== undefined) item.replyTo = opts.replyTo;
    const done = new Promise<Message>((resolve, reject) => this.waiters.set(item.clientId, { resolve, reject }));
    this.outbox.push(item);
    await this.storage.set(OUTBOX, this.outbox);
    this.kickOutbox();
    return done;
  }

  /** Sends still waiting for the server's answer (e.g. to show them as "sending…"). */
  pending(): ReadonlyArray<Readonly<OutboxItem>> {
    return this.outbox;
  }

  private kickOutbox(): void {
    if (this.flushing || !this.running || this.outbox.length === 0) return;
    this.flushing = this.flushOutbox().finally(() => {
      this.flushing = null;
      if (this.running && this.outbox.length > 0 && this.session.signedIn) this.kickOutbox();
    });
  }

  private async flushOutbox(): Promise<void> {
    for (let attempt = 0; this.running && this.outbox.length > 0;) {
      const item = this.outbox[0];
      try {
        const body: { clientId: string; text: string; replyTo?: number } = { clientId: item.clientId, text: item.text };
        if (item.replyTo !== undefined) body.replyTo = item.replyTo;
        const message = (await unwrap(
          this.api.POST('/v1/conversations/{id}/messages', { params: { path: { id: item.conversationId } }, body: body as never }),
        )) as Message;
        await this.settle(item, () => {
          this.waiters.get(item.clientId)?.resolve(message);
          this.emitter.emit('send.succeeded', { clientId: item.clientId, message });
        });
        attempt = 0;
      } catch (err) {
        if (err instanceof RateLimitedError) {
          await sleep(err.retryAfterSeconds * 1000);
        } else if (isTransient(err)) {
          await sleep(Math.min(200 * 2 ** attempt++, 3000));
        } else if (err instanceof AuthError) {
          return; // paused until the session is renewed (onSession kicks the outbox)
        } else {
          const error = err instanceof Error ? err : new Error(String(err));
          await this.settle(item, () => {
            this.waiters.get(item.clientId)?.reject(error);
            this.emitter.emit('send.failed', { clientId: item.clientId, conversationId: item.conversationId, error });
          });
        }
      }
    }
  }

  private async settle(item: OutboxItem, notify: () => void): Promise<void> {
    this.outbox = this.outbox.filter((i) => i.clientId !== item.clientId);
    await this.storage.set(OUTBOX, this.outbox);
    notify();
    this.waiters.delete(item.clientId);
  }

  // ------------------------------------------------------------------ small live actions

  /** Tells the conversation's other members that I am typing (throttled by the server). Throws ClientStateError `not_started` before start(). */
  typing(conversationId: string): void {
    this.assertStarted('typing()');
    this.socketRef?.emit('typing', { conversationId });
  }

  /** Moves my read marker; members get `read.updated`. */
  async markRead(conversationId: string, seq: number): Promise<void> {
    await unwrap(this.api.POST('/v1/conversations/{id}/read', { params: { path: { id: conversationId } }, body: { seq } }));
  }
}

export { ApiError };
