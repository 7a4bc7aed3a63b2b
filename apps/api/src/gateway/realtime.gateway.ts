import { Inject, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { APP_CONFIG, type AppConfig } from '@app/messaging/config';
import { AccountStatusService } from '@app/messaging/accounts/account-status.service';
import { SessionRevocations } from '@app/messaging/accounts/session-revocations.service';
import { UserTokensService } from '@app/messaging/accounts/user-tokens.service';
import { AccountSuspended, InvalidRequest, NotFound, SessionRevoked, Unauthorized } from '@app/messaging/errors';
import type { DeliveredEvent } from '@app/messaging/events/event-types';
import { EventsService } from '@app/messaging/events/events.service';
import { OutboxRelay } from '@app/messaging/events/outbox-relay';
import { isUuid } from '@app/messaging/ids';
import { MessagesService } from '@app/messaging/messages/messages.service';
import { AccountWatch } from './account-watch';
import { RoomPresence } from './room-presence';
import { boundSendBacklog } from './send-backlog';
import { socketConnections } from './socket-metrics';
import { SocketQuota } from './socket-quota';
import { TypingRelay, TypingThrottle, TypingThrottles } from './typing-relay';
import { familyRoom, positionsRoom, handshakeError, toAckError, toWire, userRoom, v1Room, type AckError } from './wire';
import { coalesceSocketWrites } from './write-coalescing';

interface SocketData {
  userId: string;
  /** The sign-in (refresh family) of the token the socket connected with; ending it closes the socket. */
  familyId?: string;
  /** When that token expires (ms): the socket closes then; the client reconnects with a fresh token. */
  expiresAt: number;
  typing: TypingThrottle;
  expiry?: NodeJS.Timeout;
  /** Counted in RoomPresence (released on disconnect). */
  present?: boolean;
  /** auth.stream: 'positions' (events carry stream positions, docs/API.md §6) or 'v1' (per-user cursors, the default). */
  stream: 'v1' | 'positions';
  /** Settles once the socket is counted against MAX_SOCKETS_PER_USER. */
  admitted?: Promise<void>;
}
type AppSocket = Socket<any, any, any, SocketData>;

const INTERNAL: AckError = { code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' };

/**
 * Pushes events to each recipient's room: `type` is the event name, the payload the whole wire
 * object. With `presence` (an API process), a recipient whose sockets are all on this process
 * gets a local emit, without the Redis adapter's publish (RoomPresence).
 */
export function pushToSockets(server: Pick<Server, 'to' | 'local'>, events: DeliveredEvent[], presence?: RoomPresence) {
  for (const delivered of events) {
    const via = presence?.localOnly(delivered.recipientId) ? server.local : server;
    // A v1 socket takes the per-user cursor (none written for a user without a v1 client:
    // SEND_SQL), a positions socket the event's position.
    if (delivered.event.cursor !== null) {
      const wire = toWire(delivered);
      via.to(v1Room(delivered.recipientId)).emit(wire.type, wire);
    }
    if (delivered.position) {
      const wire = toWire(delivered, delivered.position);
      via.to(positionsRoom(delivered.recipientId)).emit(wire.type, wire);
    }
  }
}

/**
 * The socket door (STYLE.md, convention 1): authenticates the handshake, puts each socket in
 * its user's room, and turns client events into the same service calls REST makes.
 */
@WebSocketGateway({
  path: '/socket.io',
  serveClient: false,
  cors: { origin: true, credentials: true },
  maxHttpBufferSize: 64 * 1024,
})
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(RealtimeGateway.name);
  @WebSocketServer() server: Server;

  constructor(
    private readonly tokens: UserTokensService,
    private readonly status: AccountStatusService,
    private readonly relay: OutboxRelay,
    private readonly events: EventsService,
    private readonly messages: MessagesService,
    private readonly typingRelay: TypingRelay,
    private readonly accountWatch: AccountWatch,
    private readonly sessions: SessionRevocations,
    private readonly quota: SocketQuota,
    private readonly presence: RoomPresence,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private readonly typingThrottles = new TypingThrottles();

  afterInit(server: Server) {
    coalesceSocketWrites(server);
    boundSendBacklog(server, { maxBytes: this.config.socketMaxBufferedBytes, maxMessages: this.config.socketMaxBufferedMessages });
    // A middleware (not handleConnection) so a refused client gets `connect_error` with
    // err.data = {code, message} and never counts as connected.
    server.use((socket: AppSocket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (err) => next(this.connectError(err)),
      );
    });
    this.relay.registerPusher((events) => pushToSockets(server, events, this.presence));
    this.accountWatch.start(server);
  }

  private async authenticate(socket: AppSocket) {
    const token = socket.handshake.auth?.token;
    if (typeof token !== 'string' || token === '') throw new Unauthorized('Connect with auth: {token: <accessToken>}.');
    const stream: unknown = socket.handshake.auth?.stream ?? 'v1';
    if (stream !== 'v1' && stream !== 'positions') throw new InvalidRequest('auth.stream is "v1" (the default) or "positions".');
    const claims = await this.tokens.verify(token);
    this.sessions.assertLive(claims);
    await this.status.assertActive(claims.sub, { fresh: true });
    socket.data.userId = claims.sub;
    socket.data.familyId = claims.fid;
    socket.data.expiresAt = claims.exp * 1000;
    socket.data.stream = stream;
    // A v1 socket's client reads per-user cursors: the send must keep writing its user's member rows.
    if (stream === 'v1') await this.events.v1Contact(claims.sub);
    // Last: the other API processes learn this user is held here before the socket joins its room.
    await this.presence.admit(claims.sub);
    socket.data.present = true;
  }

  private connectError(err: unknown): Error & { data: AckError } {
    return handshakeError(err, (e) => this.logger.error({ err: e }, 'socket handshake failed'));
  }

  handleConnection(socket: AppSocket) {
    const { userId, familyId, expiresAt, stream } = socket.data;
    const rooms = [userRoom(userId), stream === 'positions' ? positionsRoom(userId) : v1Room(userId)];
    if (familyId) rooms.push(familyRoom(familyId));
    // Local rooms: join is synchronous with the adapters we use; a rejected join would only miss live pushes (sync recovers them).
    void Promise.resolve(socket.join(rooms)).catch(() => socket.disconnect(true));
    socket.data.typing = this.typingThrottles.acquire(userId);
    // A socket lives no longer than the token that opened it (timers never exceed 24 days; tokens live ≤ 1 day).
    socket.data.expiry = setTimeout(() => socket.disconnect(true), Math.max(0, expiresAt - Date.now()));
    socket.data.expiry.unref();
    socket.data.admitted = this.quota.admit(userId, socket.id).then((evicted) => {
      // The oldest sockets over the cap, on whichever process holds them (each socket is in a room of its own id).
      if (evicted.length) this.server.in(evicted).disconnectSockets(true);
    });
    socketConnections.inc();
    // As Nest's IoAdapter maps an event's arguments: a trailing function is the ack, one other
    // argument is the payload, several are an array; no ack, no answer.
    socket.on('message.send', (...args: unknown[]) => {
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (answer: unknown) => void) : null;
      const payload = args.length === 0 ? undefined : args.length === 1 ? args[0] : args;
      void this.send(socket, payload).then((answer) => ack?.(answer));
    });
  }

  handleDisconnect(socket: AppSocket) {
    const { userId, expiry, admitted, present } = socket.data;
    socketConnections.dec();
    if (!userId) return;
    if (present) this.presence.release(userId);
    clearTimeout(expiry);
    this.typingThrottles.release(userId);
    void (admitted ?? Promise.resolve()).then(() => this.quota.release(userId, socket.id));
  }

  /**
   * `message.send` {conversationId, clientId, text, replyTo?} → ack {message} | {error}: MessagesService.send, as REST.
   * Bound in handleConnection as a plain listener (the hot event): Nest's per-event observable
   * pipeline did nothing here that this handler does not (it catches every error itself).
   */
  async send(socket: AppSocket, payload: unknown) {
    try {
      await this.stillActive(socket);
      const { conversationId, body } = parseSend(payload);
      const { message } = await this.messages.send(socket.data.userId, conversationId, body);
      return { message };
    } catch (err) {
      return { error: this.ackError(err, 'message.send') };
    }
  }

  /** `typing` {conversationId} → `typing` {conversationId, userId} to the other active members; ack {relayed} | {error}. */
  @SubscribeMessage('typing')
  async typing(@ConnectedSocket() socket: AppSocket, @MessageBody() payload: unknown) {
    try {
      await this.stillActive(socket);
      const conversationId = isPlainObject(payload) ? payload.conversationId : undefined;
      const decision = await this.typingRelay.recipients(socket.data.userId, conversationId, socket.data.typing);
      if ('throttled' in decision) return { relayed: false };
      if (decision.relayTo.length) {
        this.server.to(decision.relayTo.map(userRoom)).emit('typing', { conversationId, userId: socket.data.userId });
      }
      return { relayed: true };
    } catch (err) {
      return { error: this.ackError(err, 'typing') };
    }
  }

  /**
   * A socket outlives its handshake: before acting, re-check its token's expiry, its sign-in
   * (in memory) and the account's standing (cached, so cheap), and drop the socket if any
   * ended while the timer or a broadcast was missed.
   */
  private async stillActive(socket: AppSocket) {
    try {
      if (Date.now() >= socket.data.expiresAt) throw new Unauthorized('The access token expired; reconnect with a fresh one.');
      this.sessions.assertLive({ fid: socket.data.familyId });
      await this.status.assertActive(socket.data.userId);
    } catch (err) {
      if (err instanceof AccountSuspended || err instanceof Unauthorized || err instanceof SessionRevoked) {
        setImmediate(() => socket.disconnect(true));
      }
      throw err;
    }
  }

  private ackError(err: unknown, event: string): AckError {
    const known = toAckError(err);
    if (known) return known;
    this.logger.error({ err, event }, 'socket handler failed');
    return INTERNAL;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseSend(payload: unknown): { conversationId: string; body: { clientId: unknown; text: unknown; [k: string]: unknown } } {
  if (!isPlainObject(payload)) {
    throw new InvalidRequest('message.send takes {conversationId, clientId, text}.', [{ field: '(payload)', problems: ['object'] }]);
  }
  const { conversationId, ...body } = payload;
  if (typeof conversationId !== 'string' || conversationId === '') {
    throw new InvalidRequest('conversationId is required.', [{ field: 'conversationId', problems: ['string'] }]);
  }
  if (!isUuid(conversationId)) throw new NotFound();
  return { conversationId, body: body as { clientId: unknown; text: unknown } };
}
