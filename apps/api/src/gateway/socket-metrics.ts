import { Gauge } from 'prom-client';

/** Open sockets in this process (each process exports its own; sum them across processes). */
export const socketConnections = new Gauge({
  name: 'socket_connections',
  help: 'Connected socket.io clients in this process',
});
