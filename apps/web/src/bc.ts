import { BackchannelClient, LocalStorageStorage, unwrap } from '@backchannel/client';

/** The one SDK client of this tab: session, cursor and outbox in localStorage. */
export const bc = new BackchannelClient({ baseUrl: window.location.origin, storage: new LocalStorageStorage('backchannel:') });
export { unwrap };

/** Human text for any error the SDK throws (ApiError carries the contract's code). */
export function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code && e.message) return `${e.message} (${e.code})`;
  return e?.message ?? String(err);
}
