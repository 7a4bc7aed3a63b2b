import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Server } from 'socket.io';
import { APP_CONFIG, type AppConfig } from '@app/messaging/config';
import { OutboxRelay } from '@app/messaging/events/outbox-relay';
import { pushToSockets } from './realtime.gateway';
import { adapterClients, ioAdapter } from './redis-io.adapter';

/**
 * A worker-only process (APP_ROLES=worker) holds no sockets but still drains outbox rows:
 * those its jobs write (link verdicts → message.updated, …) and the scheduled sweep. It
 * pushes them through a socket.io Server that is attached to no HTTP server but has the
 * same Redis adapter: a broadcast to `user:<id>` is published on the adapter's channel and
 * every API process emits it to its local sockets, the very path @socket.io/redis-emitter
 * takes (that package is not installed; this needs nothing beyond the adapter). With the
 * `api` role present, the gateway registers the pusher instead and this stays idle.
 */
@Injectable()
export class WorkerEventEmitter implements OnModuleInit, OnApplicationShutdown {
  private io: Server | null = null;
  private clients: ReturnType<typeof adapterClients> | null = null;

  constructor(
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit() {
    if (this.config.roles.includes('api')) return;
    this.clients = adapterClients(this.config);
    const io = new Server({ serveClient: false });
    io.adapter(ioAdapter(this.config, this.clients));
    this.io = io;
    this.relay.registerPusher((events) => pushToSockets(io, events));
  }

  async onApplicationShutdown() {
    // Not io.close(): with no HTTP server there is no engine to close, only the adapter.
    if (this.io) await Promise.resolve(this.io.of('/').adapter.close()).catch(() => undefined);
    await this.clients?.quit();
    this.io = null;
    this.clients = null;
  }
}
