import { Counter, Gauge } from 'prom-client';

/** Open sockets in this process (each process exports its own; sum them across processes). */
export const socketConnections = new Gauge({
  name: 'socket_connections',
  help: 'Connected socket.io clients in this process',
});

/** Sockets this process closed because they stopped taking what they were sent (send-backlog.ts). */
export const slowConsumerDisconnects = new Counter({
  name: 'socket_slow_consumer_disconnects_total',
  help: 'Sockets closed because the server held more than SOCKET_MAX_BUFFERED_BYTES or SOCKET_MAX_BUFFERED_MESSAGES for them, by transport',
  labelNames: ['transport'],
});
