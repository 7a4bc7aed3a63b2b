import type { Server } from 'socket.io';

/** The parts of an engine.io socket (engine.io 6) this touches. */
interface EngineSocket {
  flush(): void;
  transport: EngineTransport;
  on(event: 'upgrade', fn: (transport: EngineTransport) => void): unknown;
}
interface EngineTransport {
  send(packets: unknown[]): void;
  /** websocket transport: the `ws` WebSocket, whose `_socket` is the TCP socket. */
  socket?: { _socket?: { cork(): void; uncork(): void } };
  coalesced?: boolean;
}

/**
 * One write system call per socket per tick instead of one per packet. engine.io sends each
 * packet the moment it is emitted, and a websocket transport then refuses further packets
 * until that write's callback (a tick later): a sender's `message.created` and its
 * `message.send` ack, emitted a few microtasks apart, took two writes. Here a socket's
 * flush waits for the end of the tick (process.nextTick runs after the microtasks that emit
 * the ack), so every packet of the tick leaves in one transport send, and the websocket
 * transport's frames are corked into one writev. Order is unchanged: packets still leave in
 * the order they were emitted, through engine.io's own buffer.
 */
export function coalesceSocketWrites(server: Server): void {
  server.engine.on('connection', (socket: EngineSocket) => {
    const flush = socket.flush.bind(socket);
    let scheduled = false;
    const flushNow = () => {
      scheduled = false;
      flush();
    };
    socket.flush = () => {
      if (scheduled) return;
      scheduled = true;
      process.nextTick(flushNow);
    };
    corkSends(socket.transport);
    socket.on('upgrade', corkSends);
  });
}

function corkSends(transport: EngineTransport): void {
  const tcp = transport?.socket?._socket;
  if (!tcp || transport.coalesced || typeof tcp.cork !== 'function') return;
  transport.coalesced = true;
  const send = transport.send.bind(transport);
  transport.send = (packets) => {
    if (packets.length < 2) return send(packets);
    tcp.cork();
    try {
      send(packets);
    } finally {
      tcp.uncork();
    }
  };
}
