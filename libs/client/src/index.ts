/** @backchannel/client: the TypeScript SDK for Backchannel (Node ≥ 20 and browsers). */
export { BackchannelClient, type ClientOptions } from './client';
export { Session, tokenExpiry, type Tokens } from './session';
export { createRest, unwrap, type RestClient } from './rest';
export { MemoryStorage, LocalStorageStorage, type ClientStorage } from './storage';
export { newClientId } from './ids';
export * from './errors';
export * from './events';
export type { paths, components, operations } from './generated/api';
export { parseLinkSource, reputationSourceName, type LinkSource } from './link-sources';
