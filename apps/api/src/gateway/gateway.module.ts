import { Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '@app/messaging/config';
import { SyncController } from '../v1/sync.controller';
import { AccountWatch } from './account-watch';
import { RealtimeGateway } from './realtime.gateway';
import { RedisIoAdapter } from './redis-io.adapter';
import { RoomPresence } from './room-presence';
import { SocketQuota } from './socket-quota';
import { StaffGateway } from './staff.gateway';
import { TypingRelay } from './typing-relay';
import { WorkerEventEmitter } from './worker-emitter';
import { onAppCreate } from '../app-hooks';
import { StaffAuthGuard } from '../http/auth';

/** Runs in createApp before the app listens, so the gateway's socket.io server gets the Redis adapter. */
async function installRedisIoAdapter(app: INestApplication, config: AppConfig) {
  if (!config.roles.includes('api')) return;
  const adapter = new RedisIoAdapter(app, config, app.get(RoomPresence));
  await adapter.connectToRedis();
  app.useWebSocketAdapter(adapter);
}
onAppCreate(installRedisIoAdapter);

/** API role: the socket.io gateways on the API port (users; staff in namespace /staff) and GET /v1/sync. */
@Module({
  controllers: [SyncController],
  providers: [RealtimeGateway, StaffGateway, StaffAuthGuard, TypingRelay, AccountWatch, SocketQuota, RoomPresence],
})
export class GatewayModule {}

/** Worker role: pushes the events it drains to sockets held by the API processes. */
@Module({ providers: [WorkerEventEmitter] })
export class WorkerEventsModule {}
