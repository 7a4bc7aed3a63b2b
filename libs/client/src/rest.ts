import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/api';
import { NetworkError, apiError, type ErrorBodyLike } from './errors';
import type { Session } from './session';

export type RestClient = Client<paths>;

/**
 * The typed REST client (openapi-fetch over the generated `paths`). Its fetch adds the
 * bearer token, refreshes it once and retries on a 401, and turns "no answer" into a
 * NetworkError. Use `unwrap()` to get the data or an ApiError subclass.
 */
export function createRest(baseUrl: string, session: Session, fetchImpl: typeof fetch, timeoutMs = 15000): RestClient {
  const authed = async (input: Request): Promise<Response> => {
    const attempt = async (req: Request, token: string | null) => {
      const headers = new Headers(req.headers);
      if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
      try {
        return await fetchImpl(new Request(req, { headers, signal: AbortSignal.timeout(timeoutMs) }));
      } catch (err) {
        throw new NetworkError(err);
      }
    };
    const spare = input.clone();
    const res = await attempt(input, await session.fresh().catch(() => session.accessToken));
    if (res.status !== 401 || !session.signedIn || input.url.includes('/v1/auth/')) return res;
    const body = (await res
      .clone()
      .json()
      .catch(() => null)) as ErrorBodyLike | null;
    // A suspended account or a reused refresh token will not be cured by refreshing.
    if (body?.code === 'account_suspended') return res;
    try {
      const tokens = await session.refresh();
      return await attempt(spare, tokens.accessToken);
    } catch (err) {
      if (err instanceof NetworkError) throw err;
      return res;
    }
  };
  return createClient<paths>({ baseUrl, fetch: authed });
}

/** `{data}` → data; `{error}` → the ApiError subclass for its code (with Retry-After for 429). */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const retryAfter = Number(response.headers.get('retry-after')) || undefined;
  throw apiError(response.status, (error ?? null) as ErrorBodyLike | null, retryAfter);
}
