// The env schema lives in libs/messaging/src/config.ts so domain services can be typed
// against it; this app is the only caller of loadConfig().
export { loadConfig, ConfigError, APP_CONFIG } from '@app/messaging/config';
export type { AppConfig, AppRole } from '@app/messaging/config';
