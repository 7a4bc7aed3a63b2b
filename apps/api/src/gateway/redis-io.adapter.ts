import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Observable } from 'rxjs';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '@app/messaging/config';
import { redisClient, type RedisClient } from '@app/messaging/redis';
import type { RoomPresence } from './room-presence';

/** One channel namespace per deployment (REDIS_PREFIX), shared by every API and worker process. */
export const socketIoKey = (config: AppConfig) => `${config.redisPrefix}socket.io`;

/**
 * A publish/subscribe pair for the socket.io Redis adapter. No keyPrefix: the adapter's
 * channels carry the deployment prefix in their `key` instead.
 */
export function adapterClients(config: AppConfig): { pub: RedisClient; sub: RedisClient; quit(): Promise<void> } {
  if (config.redisClusterNodes) return clusterAdapterClients(config);
  const pub = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  const sub = pub.duplicate();
  // The adapter publishes without awaiting (it never reads the result). Publishes issued in
  // the same tick (one per recipient of a push) leave as one pipeline, one write instead of
  // one syscall each, in order on the one connection. While Redis is down the pipeline
  // rejects (after maxRetriesPerRequest), and an unobserved rejection would kill the process:
  // it is swallowed, and a push lost in an outage is recovered by the client's sync. Both
  // clients reconnect by themselves.
  let batch: Array<[string | Buffer, string | Buffer]> = [];
  const flush = () => {
    const sending = batch;
    batch = [];
    const pipeline = pub.pipeline();
    for (const [channel, message] of sending) pipeline.publish(channel, message);
    pipeline.exec().catch(() => undefined);
  };
  (pub as unknown as { publish: (channel: string | Buffer, message: string | Buffer) => Promise<number> }).publish = (channel, message) => {
    if (batch.push([channel, message]) === 1) process.nextTick(flush);
    return Promise.resolve(0);
  };
  for (const c of [pub, sub]) c.on('error', () => undefined);
  return {
    pub,
    sub,
    async quit() {
      await Promise.all([pub, sub].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

/**
 * On a Redis Cluster: a publisher whose SPUBLISHes of one tick are auto-pipelined per node
 * (a hand-made pipeline, as above, cannot span slots), and a subscriber that follows the
 * sharded channels to whichever node owns their slot, also after a failover.
 */
function clusterAdapterClients(config: AppConfig): { pub: RedisClient; sub: RedisClient; quit(): Promise<void> } {
  const pub = redisClient(config, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
  const sub = redisClient(config, { maxRetriesPerRequest: null, shardedSubscribers: true });
  // As above: an unobserved rejection of a publish during a failover must not kill the process.
  const spublish = pub.spublish.bind(pub) as (channel: string | Buffer, message: string | Buffer) => Promise<number>;
  (pub as unknown as { spublish: typeof spublish }).spublish = (channel, message) => {
    spublish(channel, message).catch(() => undefined);
    return Promise.resolve(0);
  };
  for (const c of [pub, sub]) c.on('error', () => undefined);
  return {
    pub,
    sub,
    async quit() {
      await Promise.all([pub, sub].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

/**
 * The socket.io adapter for this deployment. Single Redis: the classic adapter (every
 * broadcast reaches every process). Cluster: the sharded adapter on Redis 7 sharded pub/sub
 * in "dynamic" mode: each room (user:<id>, family:<id>) has a channel of its own, subscribed
 * only by the processes holding a socket in it, and channels spread over the shards. Remote
 * emits always name a room (never a bare socket id, which would go to the main channel).
 */
export function ioAdapter(config: AppConfig, clients: { pub: RedisClient; sub: RedisClient }) {
  if (config.redisClusterNodes) {
    return createShardedAdapter(clients.pub, clients.sub, { channelPrefix: socketIoKey(config), subscriptionMode: 'dynamic' });
  }
  return createAdapter(clients.pub, clients.sub, { key: socketIoKey(config) });
}

/**
 * socket.io on the API's own HTTP server, with the Redis adapter so that a broadcast to
 * `user:<id>` reaches that user's sockets on every API process (NestJS docs, "Adapters").
 */
export class RedisIoAdapter extends IoAdapter {
  private clients: ReturnType<typeof adapterClients> | null = null;
  private adapterConstructor: ReturnType<typeof ioAdapter> | null = null;

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly presence?: RoomPresence,
  ) {
    super(app);
  }

  async connectToRedis(): Promise<void> {
    this.clients = adapterClients(this.config);
    this.adapterConstructor = ioAdapter(this.config, this.clients);
    if (!this.config.redisClusterNodes)
      this.presence?.start(this.clients.pub as Redis, this.clients.sub as Redis, socketIoKey(this.config));
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, options);
    if (this.adapterConstructor) server.adapter(this.adapterConstructor);
    return server;
  }

  /**
   * As Nest's IoAdapter binds a gateway's @SubscribeMessage handlers, with a plain listener
   * per event instead of an rxjs pipeline per socket and event (fromEvent, mergeMap,
   * takeUntil a shared disconnect observable): that pipeline held ~1.5 KiB of subscribers and
   * closures for every connected socket, idle or not. The same mapping: a trailing function
   * is the ack, one other argument is the payload, several an array; a nil result answers
   * nothing, `{event, data}` is emitted, anything else acks (unless the handler acks itself);
   * nothing is answered once the socket has disconnected.
   */
  override bindMessageHandlers(
    socket: Parameters<IoAdapter['bindMessageHandlers']>[0],
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ) {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]) as { data: unknown; ack?: (answer: unknown) => void };
        transform(callback(data, ack)).subscribe((response) => {
          if (response === null || response === undefined || socket.disconnected) return;
          const event = response as { event?: string; data?: unknown };
          if (event.event) return void socket.emit(event.event, event.data);
          if (!isAckHandledManually && typeof ack === 'function') ack(response);
        });
      });
    }
  }

  override async dispose(): Promise<void> {
    await this.presence?.stop();
    await this.clients?.quit();
    this.clients = null;
  }
}
