import type { Type } from '@nestjs/common';
import { ConversationsHttpModule } from './v1/v1.module';
import { GatewayModule, WorkerEventsModule } from './gateway/gateway.module';
import { RoomsHttpModule } from './v1/rooms.controller';

/**
 * Feature modules by role. Each feature registers itself here (one line), so app.module
 * stays a list and features stay in their own folders.
 */
export const API_MODULES: Type[] = [ConversationsHttpModule, GatewayModule, RoomsHttpModule];
export const WORKER_MODULES: Type[] = [WorkerEventsModule];
