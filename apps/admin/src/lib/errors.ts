/**
 * API errors are `{statusCode, code, message, details?}`. We show
 * "message (code)" in notifications.
 */
import type { ErrorBody } from '@backchannel/client/admin';

/** The contract's error body as it may arrive: any field missing, and a framework's message list tolerated. */
export type ApiErrorBody = Partial<Omit<ErrorBody, 'message'>> & { message?: ErrorBody['message'] | string[] };

function messageText(message: unknown): string | null {
    if (typeof message === 'string' && message.trim() !== '') return message.trim();
    if (Array.isArray(message)) {
        const parts = message.filter((m): m is string => typeof m === 'string' && m.trim() !== '');
        if (parts.length) return parts.join('; ');
    }
    return null;
}

/** Human message for a failed call: "message (code)", falling back to HTTP status text. */
export function formatApiError(body: unknown, status: number, statusText?: string): string {
    const record = body && typeof body === 'object' ? (body as ApiErrorBody) : null;
    const message = messageText(record?.message) ?? (statusText && statusText.trim()) ?? '';
    const code = record && typeof record.code === 'string' && record.code !== '' ? record.code : null;
    const base = message || (status ? `Request failed with HTTP ${status}` : 'Network error');
    if (code && !base.includes(code)) return `${base} (${code})`;
    return base;
}

/** The machine code of an API error, if any (e.g. "already_claimed"). */
export function errorCode(error: unknown): string | null {
    if (!error || typeof error !== 'object') return null;
    const body = (error as { body?: unknown }).body;
    if (body && typeof body === 'object' && typeof (body as ApiErrorBody).code === 'string') {
        return (body as ApiErrorBody).code as string;
    }
    return null;
}

/** Message of anything thrown. */
export function errorMessage(error: unknown): string {
    if (typeof error === 'string') return error;
    if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
        return (error as { message: string }).message;
    }
    return 'Something went wrong';
}
