import { Logger } from '@nestjs/common';
import type { Server } from 'socket.io';
import { slowConsumerDisconnects } from './socket-metrics';

export interface SendBacklogLimits {
  /** SOCKET_MAX_BUFFERED_BYTES */
  maxBytes: number;
  /** SOCKET_MAX_BUFFERED_MESSAGES */
  maxMessages: number;
}

/** The parts of an engine.io socket (engine.io 6) this touches. */
interface EngineSocket {
  id: string;
  writeBuffer: unknown[];
  transport: EngineTransport;
  sendPacket(type: string, data?: unknown, options?: unknown, callback?: unknown): void;
  close(discard?: boolean): void;
  on(event: 'flush', fn: () => void): unknown;
}
interface EngineTransport {
  name: string;
  /** websocket transport: the `ws` WebSocket; `bufferedAmount` is what its TCP socket has not handed to the kernel. */
  socket?: { bufferedAmount: number; terminate(): void };
}

const logger = new Logger('SendBacklog');

/**
 * Bounds what this process holds for a socket that does not take what it is sent: a phone
 * whose TCP connection stalled, a polling client that stopped polling. engine.io queues every
 * packet for such a socket (its write buffer, then the TCP socket's own buffer once the kernel's
 * is full) for as long as the connection lives, so a few stalled recipients of a busy
 * conversation could exhaust the process's memory. Here, a packet that would take the held
 * bytes past `maxBytes`, or the queued packets past `maxMessages`, is not queued: the socket is
 * closed instead (its buffers freed at once) and counted in
 * socket_slow_consumer_disconnects_total. Nothing is lost: the client reconnects and syncs from
 * its cursor, as after any disconnect (ejabberd and Centrifugo drop slow consumers the same way).
 *
 * The check is O(1) per packet: a running byte count of the write buffer (reset when engine.io
 * hands the buffer to the transport), the buffer's length, and the websocket's bufferedAmount.
 * A connection that takes its data holds at most one tick's packets (write-coalescing.ts), far
 * below the bounds.
 */
export function boundSendBacklog(server: Server, limits: SendBacklogLimits): void {
  server.engine.on('connection', (socket: EngineSocket) => {
    const sendPacket = socket.sendPacket.bind(socket);
    let queuedBytes = 0; // of the packets now in socket.writeBuffer
    let cut = false;
    socket.on('flush', () => {
      queuedBytes = 0;
    });
    socket.sendPacket = (type, data, options, callback) => {
      if (cut) return;
      const size = packetBytes(data, options);
      const held = queuedBytes + (socket.transport.socket?.bufferedAmount ?? 0);
      if (held + size > limits.maxBytes || socket.writeBuffer.length >= limits.maxMessages) {
        cut = true;
        cutOff(socket, held, socket.writeBuffer.length);
        return;
      }
      queuedBytes += size;
      sendPacket(type, data, options, callback);
    };
  });
}

/**
 * Closes a socket that fell behind, on the next tick (not inside the broadcast that is writing
 * to it): engine.io drops its write buffer, and a websocket's TCP socket is destroyed rather
 * than closed politely, since a close frame would wait behind the data it is not reading.
 * socket.io sees the disconnect ("forced close") as for any other.
 */
function cutOff(socket: EngineSocket, heldBytes: number, heldPackets: number): void {
  const transport = socket.transport;
  slowConsumerDisconnects.inc({ transport: transport.name });
  logger.warn(
    `closed socket ${socket.id} (${transport.name}): it stopped reading with ${heldBytes} bytes in ${heldPackets} packets waiting`,
  );
  process.nextTick(() => {
    socket.close(true);
    transport.socket?.terminate();
  });
}

/** The bytes a packet adds: its precomputed websocket frame when the adapter made one (a broadcast), else its data. */
function packetBytes(data: unknown, options: unknown): number {
  const frame = (options as { wsPreEncodedFrame?: Array<{ byteLength: number }> } | undefined)?.wsPreEncodedFrame;
  if (frame) {
    let n = 0;
    for (const part of frame) n += part.byteLength;
    return n;
  }
  if (typeof data === 'string') return Buffer.byteLength(data);
  return (data as { byteLength?: number } | undefined)?.byteLength ?? 0;
}
