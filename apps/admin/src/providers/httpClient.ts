import { HttpError } from 'react-admin';
import { formatApiError } from '../lib/errors';
import { session } from './session';

export interface HttpResponse {
    status: number;
    headers: Headers;
    body: string;
    /** The parsed JSON body (undefined when there is none): the caller states its type. */
    json: unknown;
}

export type HttpClient = (url: string, options?: RequestInit) => Promise<HttpResponse>;

const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError';

/**
 * fetch + JSON + bearer token. Non-2xx responses throw
 * `HttpError("<message> (<code>)", status, body)` so react-admin notifications
 * show the API's message, and authProvider.checkError sees the status.
 */
export const httpClient: HttpClient = async (url, options = {}) => {
    const headers = new Headers(options.headers ?? undefined);
    if (!headers.has('Accept')) headers.set('Accept', 'application/json');
    if (options.body && !headers.has('Content-Type') && !(options.body instanceof FormData)) {
        headers.set('Content-Type', 'application/json');
    }
    const token = session.token();
    if (token) headers.set('Authorization', `Bearer ${token}`);

    let response: Response;
    try {
        response = await fetch(url, { ...options, headers });
    } catch (error) {
        if (isAbort(error)) throw error;
        throw new HttpError('Network error: the admin API could not be reached', 0, null);
    }

    const text = await response.text();
    let json: unknown = undefined;
    if (text) {
        try {
            json = JSON.parse(text);
        } catch {
            json = undefined;
        }
    }
    if (!response.ok) {
        throw new HttpError(formatApiError(json, response.status, response.statusText), response.status, json ?? text);
    }
    return { status: response.status, headers: response.headers, body: text, json };
};
