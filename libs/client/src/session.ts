import { ApiError, AuthError, NetworkError, apiError, type ErrorBodyLike } from './errors';
import type { Me } from './events';
import type { ClientStorage } from './storage';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

interface StoredSession extends Tokens {
  user: Me;
}

const KEY = 'session';

/** Seconds since the epoch at which a JWT expires (its `exp`), or null if it is not a JWT. */
export function tokenExpiry(token: string): number | null {
  try {
    const part = token.split('.')[1];
    const json = decodeBase64Url(part);
    const exp = (JSON.parse(json) as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' ? exp : null;
  } catch {
    return null;
  }
}

function decodeBase64Url(s: string): string {
  const b64 = s
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(s.length / 4) * 4, '=');
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * The signed-in user's tokens. Refreshes the access token `leewaySeconds` before it expires
 * (one refresh in flight at a time: a refresh token is single use), persists every new pair
 * in the storage, and tells the client through `onChange` so it reconnects the socket with
 * the new token. A refresh that gets 401 ends the session; one that gets no answer is retried.
 */
export class Session {
  private current: StoredSession | null = null;
  private refreshing: Promise<Tokens> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly baseUrl: string,
    private readonly storage: ClientStorage,
    private readonly fetchImpl: typeof fetch,
    private readonly onChange: (event: { signedIn: boolean; reason?: string; tokensChanged: boolean }) => void,
    private readonly leewaySeconds = 60,
  ) {}

  get user(): Me | null {
    return this.current?.user ?? null;
  }

  get accessToken(): string | null {
    return this.current?.accessToken ?? null;
  }

  get signedIn(): boolean {
    return this.current !== null;
  }

  /** Loads a stored session (e.g. after a restart); true when there is one. */
  async restore(): Promise<boolean> {
    this.current = ((await this.storage.get<StoredSession>(KEY)) as StoredSession | undefined) ?? null;
    this.stopped = false;
    if (this.current) this.schedule();
    return this.current !== null;
  }

  async adopt(user: Me, tokens: Tokens): Promise<void> {
    this.current = { user, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
    await this.storage.set(KEY, this.current);
    this.stopped = false;
    this.schedule();
    this.onChange({ signedIn: true, tokensChanged: true });
  }

  /** An access token good for at least a few more seconds (refreshing first if needed). */
  async fresh(): Promise<string | null> {
    if (!this.current) return null;
    const exp = tokenExpiry(this.current.accessToken);
    if (exp !== null && exp * 1000 - Date.now() < 5000) return (await this.refresh()).accessToken;
    return this.current.accessToken;
  }

  /** Rotates the pair; concurrent callers share one request. */
  refresh(): Promise<Tokens> {
    if (this.refreshing) return this.refreshing;
    const current = this.current;
    if (!current) return Promise.reject(new AuthError(401, 'unauthorized', 'Not signed in.'));
    this.refreshing = (async () => {
      let res: Response;
      try {
        res = await this.fetchImpl(`${this.baseUrl}/v1/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: current.refreshToken }),
          signal: AbortSignal.timeout(15000),
        });
      } catch (err) {
        throw new NetworkError(err);
      }
      const body = (await res.json().catch(() => null)) as (Partial<StoredSession> & ErrorBodyLike) | null;
      if (res.status !== 200 || !body?.accessToken || !body.refreshToken) {
        const error = apiError(res.status, body);
        if (error instanceof AuthError) await this.clear(error.code);
        throw error;
      }
      const tokens: Tokens = { accessToken: body.accessToken, refreshToken: body.refreshToken };
      if (this.current !== current) return this.current ?? tokens; // signed out or replaced meanwhile
      this.current = { user: body.user ?? current.user, accessToken: body.accessToken, refreshToken: body.refreshToken };
      await this.storage.set(KEY, this.current);
      this.schedule();
      this.onChange({ signedIn: true, tokensChanged: true });
      return this.current;
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Refreshes ahead of expiry; a refresh with no answer is tried again shortly. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.current || this.stopped) return;
    const exp = tokenExpiry(this.current.accessToken);
    if (exp === null) return;
    const lifetime = exp * 1000 - Date.now();
    // leeway, but never more than a fifth of a short token's life
    const ahead = Math.min(this.leewaySeconds * 1000, Math.max(1000, lifetime / 5));
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.refresh().catch((err) => {
          if (!(err instanceof ApiError && err.status === 401) && this.current && !this.stopped) {
            this.timer = setTimeout(() => this.schedule(), 1000);
          }
        });
      },
      Math.max(0, lifetime - ahead),
    );
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Stops the refresh timer (the session stays stored). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Forgets the session (signed out, or its refresh was refused). */
  async clear(reason = 'signed_out'): Promise<void> {
    const had = this.current !== null;
    this.current = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.storage.delete(KEY);
    if (had) this.onChange({ signedIn: false, reason, tokensChanged: false });
  }

  get refreshToken(): string | null {
    return this.current?.refreshToken ?? null;
  }
}
