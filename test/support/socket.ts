import { io, type Socket } from 'socket.io-client';

export interface ConnectError {
  message: string;
  data?: { code: string; message: string };
}

/** A socket.io client on the API port (path /socket.io), websocket only, no reconnection. */
export function socketClient(url: string, token: unknown, auth: Record<string, unknown> = {}): Socket {
  return io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 5000,
    auth: token === undefined ? auth : { token, ...auth },
  });
}

/** Connects and resolves once the server accepted the handshake; rejects with the connect_error. */
export function connectSocket(url: string, token: string, auth: Record<string, unknown> = {}): Promise<Socket> {
  const socket = socketClient(url, token, auth);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: any) => {
      socket.close();
      reject(Object.assign(new Error(`connect refused: ${err.message} ${JSON.stringify(err.data)}`), { data: err.data }));
    });
  });
}

/** Resolves with the connect_error the server sent (err.data = {code, message}); fails if it connected. */
export function connectRefusal(url: string, token: unknown): Promise<ConnectError> {
  const socket = socketClient(url, token);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.close();
      reject(new Error('the server accepted a socket it should have refused'));
    });
    socket.once('connect_error', (err: any) => {
      socket.close();
      resolve({ message: err.message, data: err.data });
    });
  });
}

/** Emits with an ack and resolves with the server's answer. */
export function emitAck<T = any>(socket: Socket, event: string, payload: unknown, timeoutMs = 5000): Promise<T> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload);
}

/** Records every server → client event a socket receives, to assert on later. */
export class Inbox {
  readonly events: Array<{ name: string; payload: any }> = [];
  private waiters: Array<() => void> = [];

  constructor(readonly socket: Socket) {
    socket.onAny((name: string, payload: any) => {
      this.events.push({ name, payload });
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('disconnect', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  of(name: string, where: (payload: any) => boolean = () => true): any[] {
    return this.events.filter((e) => e.name === name && where(e.payload)).map((e) => e.payload);
  }

  /** Waits until `count` events named `name` (matching `where`) arrived. */
  async waitFor(name: string, where: (payload: any) => boolean = () => true, count = 1, timeoutMs = 5000): Promise<any[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(name, where);
      if (found.length >= count) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${count} "${name}" event(s); got ${found.length}: ${JSON.stringify(this.events.map((e) => e.name))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** Resolves with the disconnect reason once the server drops the socket. */
export function disconnected(socket: Socket, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.disconnected) return resolve('already disconnected');
    const t = setTimeout(() => reject(new Error('the socket was not disconnected')), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(t);
      resolve(reason);
    });
  });
}
