import type { Type } from '@nestjs/common';
import { ConversationsHttpModule } from './v1/v1.module';
import { GatewayModule, WorkerEventsModule } from './gateway/gateway.module';
import { RoomsHttpModule } from './v1/rooms.controller';
import { QueuesModule } from '@app/messaging/queues.module';
import { LinksModule } from '@app/messaging/links/links.module';
import { SpamScoreModule } from '@app/messaging/limits/spam-score.module';
import { WorkerModule } from './worker/worker.module';
import { SafetyHttpModule } from './admin/safety-http.module';
import { SafetyJobsModule } from '@app/messaging/safety/safety-jobs';
import { PlatformHttpModule } from './platform/platform.controller';
import { DocsModule } from './docs/docs.controller';
import { RulesModule } from '@app/messaging/rules/rules.module';
import { SafetyModule } from '@app/messaging/safety/safety.module';
import { RoomsModule } from '@app/messaging/rooms/rooms.module';
import { ExportsModule } from '@app/messaging/exports/exports.module';
import { ErasureModule } from '@app/messaging/erasure/erasure.module';

/**
 * Feature modules by role. Each feature registers itself here (one line), so app.module
 * stays a list and features stay in their own folders.
 */
// Loaded by every role (Nest loads a module listed in both arrays once). SafetyModule provides
// what rules and links hand up to trust and safety (rules/rule-consequences.ts, links/link-consequences.ts),
// RoomsModule what the link scanner hands up to rooms, so both are loaded wherever rules and links are.
const SHARED_MODULES: Type[] = [
  QueuesModule,
  LinksModule,
  SpamScoreModule,
  RulesModule,
  SafetyModule,
  RoomsModule,
  ExportsModule,
  ErasureModule,
];
export const API_MODULES: Type[] = [
  ...SHARED_MODULES,
  ConversationsHttpModule,
  GatewayModule,
  RoomsHttpModule,
  SafetyHttpModule,
  PlatformHttpModule,
  DocsModule,
];
export const WORKER_MODULES: Type[] = [...SHARED_MODULES, WorkerModule, WorkerEventsModule, SafetyJobsModule];
