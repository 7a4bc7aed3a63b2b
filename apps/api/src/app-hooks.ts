import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from './config';

export type AppCreateHook = (app: INestApplication, config: AppConfig) => Promise<void> | void;

/** Setup a feature needs on the app before it listens (e.g. the socket.io Redis adapter). */
export const appCreateHooks: AppCreateHook[] = [];
export const onAppCreate = (hook: AppCreateHook) => appCreateHooks.push(hook);
