import { Logger, OnModuleDestroy } from '@nestjs/common';
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
import type { Namespace, Socket } from 'socket.io';
import { InvalidRequest, NotFound, Unauthorized } from '@app/messaging/errors';
import { isUuid } from '@app/messaging/ids';
import { CasesService } from '@app/messaging/safety/reports/cases.service';
import { CaseViewers, VIEWING_HEARTBEAT_MS, type CaseViewer, type CaseViewing } from '@app/messaging/safety/staff/case-viewers';
import { StaffAuthGuard } from '../http/auth';
import { handshakeError, toAckError, type AckError } from './wire';

/** A console shows one case at a time; a socket that says it views more drops its oldest viewing. */
const MAX_CASES_PER_SOCKET = 10;

interface StaffSocketData {
  staff: CaseViewer;
  expiresAt: number;
  expiry?: NodeJS.Timeout;
  /** The cases this socket views, oldest first. */
  viewing: Set<string>;
}
/** No typed events: `case.viewing` is parsed by hand (parseViewing). */
type Events = Record<string, (...args: unknown[]) => void>;
type StaffSocket = Socket<Events, Events, Events, StaffSocketData>;

/** `case:<id>` in the staff namespace: every staff socket viewing that case, on whichever process holds it. */
export const caseRoom = (caseId: string) => `case:${caseId}`;

const INTERNAL: AckError = { code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' };

/**
 * The staff console's socket (namespace `/staff` on the API's socket.io path), opened with a
 * staff access token (`auth: {token}`), checked as the staff REST routes check it.
 *
 * `case.viewing` {caseId, viewing: true|false} → ack {caseId, version, viewers} | {error}:
 * says this console has a case open (or no longer). Every change of a case's viewers is
 * pushed as `case.viewers` {caseId, version, viewers} to the consoles viewing it, on every API
 * process (the Redis adapter); a console keeps the list with the highest version. Viewers are
 * kept in Redis (CaseViewers) with a heartbeat, so a process that dies drops out by itself.
 */
@WebSocketGateway({ path: '/socket.io', namespace: 'staff', serveClient: false, cors: { origin: true, credentials: true } })
export class StaffGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger(StaffGateway.name);
  @WebSocketServer() server: Namespace;
  /** This process's staff sockets that view a case, for the heartbeat. */
  private readonly sockets = new Set<StaffSocket>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly guard: StaffAuthGuard,
    private readonly cases: CasesService,
    private readonly viewers: CaseViewers,
  ) {}

  afterInit(server: Namespace) {
    server.use((socket: StaffSocket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (err) => next(this.connectError(err)),
      );
    });
    this.heartbeat = setInterval(() => void this.beat(), VIEWING_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  onModuleDestroy() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private async authenticate(socket: StaffSocket) {
    const token: unknown = socket.handshake.auth?.token;
    if (typeof token !== 'string' || token === '') throw new Unauthorized('Connect with auth: {token: <staff accessToken>}.');
    const staff = await this.guard.authenticate(token);
    socket.data.staff = { staffId: staff.id, displayName: staff.displayName };
    socket.data.expiresAt = staff.expiresAt;
    socket.data.viewing = new Set();
  }

  private connectError(err: unknown): Error & { data: AckError } {
    return handshakeError(err, (e) => this.logger.error({ err: e }, 'staff socket handshake failed'));
  }

  handleConnection(socket: StaffSocket) {
    // A socket lives no longer than the token that opened it; the console reconnects with a fresh one.
    socket.data.expiry = setTimeout(() => socket.disconnect(true), Math.max(0, socket.data.expiresAt - Date.now()));
    socket.data.expiry.unref();
  }

  handleDisconnect(socket: StaffSocket) {
    clearTimeout(socket.data.expiry);
    this.sockets.delete(socket);
    for (const caseId of socket.data.viewing ?? []) this.stopViewingQuietly(socket, caseId);
  }

  @SubscribeMessage('case.viewing')
  async caseViewing(@ConnectedSocket() socket: StaffSocket, @MessageBody() payload: unknown) {
    try {
      const { caseId, viewing } = parseViewing(payload);
      if (!viewing) {
        const left = await this.stopViewing(socket, caseId);
        return answer(left);
      }
      // The account may have been disabled (or the token expired) since the handshake; and the case must exist (404 as REST).
      await this.guard.authenticate(String(socket.handshake.auth?.token));
      await this.cases.one(caseId);
      socket.data.viewing.delete(caseId);
      socket.data.viewing.add(caseId);
      for (const old of [...socket.data.viewing].slice(0, -MAX_CASES_PER_SOCKET)) this.stopViewingQuietly(socket, old);
      this.sockets.add(socket);
      await socket.join(caseRoom(caseId));
      const joined = await this.viewers.join(caseId, socket.id, socket.data.staff);
      if (joined.changed) this.push(joined);
      return answer(joined);
    } catch (err) {
      return { error: this.ackError(err) };
    }
  }

  private async stopViewing(socket: StaffSocket, caseId: string): Promise<CaseViewing> {
    socket.data.viewing?.delete(caseId);
    if (socket.data.viewing?.size === 0) this.sockets.delete(socket);
    await socket.leave(caseRoom(caseId));
    const left = await this.viewers.leave(caseId, socket.id);
    if (left.changed) this.push(left);
    return left;
  }

  /** On a disconnection (Redis may be going away with the process): a viewing left behind expires by itself. */
  private stopViewingQuietly(socket: StaffSocket, caseId: string) {
    this.stopViewing(socket, caseId).catch((err: Error) => this.logger.debug?.(`case viewing not removed: ${err.message}`));
  }

  /** To every console viewing the case, on every API process. */
  private push(v: CaseViewing) {
    this.server.to(caseRoom(v.caseId)).emit('case.viewers', answer(v));
  }

  /** Keeps this process's viewings alive; a viewing of a process that died expires, and the heartbeat that notices tells the others. */
  private async beat() {
    for (const socket of this.sockets) {
      for (const caseId of socket.data.viewing) {
        try {
          const v = await this.viewers.touch(caseId, socket.id, socket.data.staff);
          if (v.changed) this.push(v);
        } catch (err) {
          this.logger.warn(`case viewing heartbeat failed: ${(err as Error).message}`);
          return;
        }
      }
    }
  }

  private ackError(err: unknown): AckError {
    const known = toAckError(err);
    if (known) return known;
    this.logger.error({ err, event: 'case.viewing' }, 'staff socket handler failed');
    return INTERNAL;
  }
}

const answer = (v: CaseViewing) => ({ caseId: v.caseId, version: v.version, viewers: v.viewers });

function parseViewing(payload: unknown): { caseId: string; viewing: boolean } {
  const p = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : null;
  if (!p) throw new InvalidRequest('case.viewing takes {caseId, viewing}.', [{ field: '(payload)', problems: ['object'] }]);
  if (typeof p.caseId !== 'string' || p.caseId === '')
    throw new InvalidRequest('caseId is required.', [{ field: 'caseId', problems: ['string'] }]);
  if (!isUuid(p.caseId)) throw new NotFound('No such case.');
  if (typeof p.viewing !== 'boolean') throw new InvalidRequest('viewing is true or false.', [{ field: 'viewing', problems: ['boolean'] }]);
  return { caseId: p.caseId, viewing: p.viewing };
}
