import { BackchannelClient, LocalStorageStorage, unwrap } from '@backchannel/client';

/** The one SDK client of this tab: session, cursor and outbox in localStorage; stream positions (docs/API.md §6, rule 2b). */
export const bc = new BackchannelClient({
  baseUrl: window.location.origin,
  storage: new LocalStorageStorage('backchannel:'),
  stream: 'positions',
});
export { unwrap };

/** Where the server's own sentence is not the best one for this screen, ours (by the contract's code). */
const SENTENCES: Record<string, string> = {
  handle_taken: 'That handle is already taken. Try another one.',
  invalid_credentials: 'That handle and password do not match.',
  not_found: 'We couldn’t find that. It may have been removed.',
  account_suspended: 'Your account is suspended. Sign in again to see why and to appeal.',
  group_too_large: 'A group can have at most 15 people, you included.',
  not_a_group: 'Only a group can take more people or be left.',
};

/** Human text for any error the SDK throws (ApiError carries the contract's code): a sentence, never a raw code. */
export function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code && SENTENCES[e.code]) return SENTENCES[e.code];
  if (e?.message && e.message !== e.code) return e.message;
  if (e?.code) return 'Something went wrong. Please try again.';
  return e?.message ?? String(err);
}
