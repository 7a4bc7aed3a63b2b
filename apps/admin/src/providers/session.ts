import { createSession } from '../lib/session';

/** The browser session (token + staff) backed by localStorage. */
export const session = createSession(window.localStorage);
