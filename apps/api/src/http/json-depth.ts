import type { FastifyInstance, FastifyRequest } from 'fastify';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { InvalidRequest } from '@app/messaging/errors';

/** Deepest nesting a request body may have; no route takes more than a few levels. */
export const MAX_JSON_DEPTH = 32;
/** Largest request body, in bytes (64 KiB): larger is 413 payload_too_large. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Depth of a parsed JSON value, walked without recursion (a hostile body may be thousands deep). */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > stopAt) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** An error the exception filter maps by its `type` (toErrorBody), as body-parser's errors were. */
function bodyError(type: string, status: number, message: string): Error {
  return Object.assign(new Error(message), { type, status, statusCode: status });
}

/** The common charset's decoder, made once: a TextDecoder per request cost more than the parse of a small body. */
const UTF8 = new TextDecoder('utf-8');

const FIRST_CHAR = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])/;

const INFLATE: Record<string, (b: Buffer, o: { maxOutputLength: number }) => Buffer> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/**
 * A body sent with Content-Encoding gzip, deflate or br, inflated (at most MAX_BODY_BYTES
 * once inflated, else 413); any other encoding is 415, as body-parser had it.
 */
export function inflateBody(encoding: string | undefined, raw: Buffer): Buffer {
  const enc = (encoding ?? 'identity').toLowerCase();
  if (enc === 'identity') return raw;
  const inflate = INFLATE[enc];
  if (!inflate) throw bodyError('encoding.unsupported', 415, `unsupported content encoding "${enc}"`);
  try {
    return inflate(raw, { maxOutputLength: MAX_BODY_BYTES });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw bodyError('entity.too.large', 413, 'request entity too large');
    throw bodyError('inflate.failed', 400, (err as Error).message);
  }
}

/**
 * A JSON body as the contract reads it: an object or an array only (anything else, or bad
 * JSON, is 400 invalid_json), UTF charsets only (415), an empty body is `{}`, and bodies
 * nested deeper than MAX_JSON_DEPTH are 400 invalid_request, refused before the validation
 * pipe walks them recursively (which overflows the stack: a 500).
 */
export function parseJsonBody(contentType: string | undefined, raw: Buffer): unknown {
  const charset = (/;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1] ?? 'utf-8').toLowerCase();
  if (charset.slice(0, 4) !== 'utf-') {
    throw Object.assign(bodyError('charset.unsupported', 415, `unsupported charset "${charset.toUpperCase()}"`), { charset });
  }
  let text: string;
  try {
    text = (charset === 'utf-8' || charset === 'utf8' ? UTF8 : new TextDecoder(charset)).decode(raw);
  } catch {
    throw Object.assign(bodyError('charset.unsupported', 415, `unsupported charset "${charset.toUpperCase()}"`), { charset });
  }
  if (text.length === 0) return {};
  const first = FIRST_CHAR.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw bodyError('entity.parse.failed', 400, 'The request body is not a JSON object or array.');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw bodyError('entity.parse.failed', 400, (err as Error).message);
  }
  if (body !== null && typeof body === 'object' && jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new InvalidRequest(`The body is nested more than ${MAX_JSON_DEPTH} levels deep.`, [
      { field: 'body', problems: [`depth <= ${MAX_JSON_DEPTH}`] },
    ]);
  }
  return body;
}

/**
 * The app's only body parsers: `application/json` (parseJsonBody, at most MAX_BODY_BYTES),
 * and any other media type is not read (the body stays undefined), as with Express's json().
 */
export function useJsonBodies(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES },
    (req: FastifyRequest, raw: Buffer, done: (err: Error | null, body?: unknown) => void) => {
      let body: unknown;
      try {
        body = parseJsonBody(req.headers['content-type'], inflateBody(req.headers['content-encoding'], raw));
      } catch (err) {
        return done(err as Error, undefined);
      }
      done(null, body);
    },
  );
  fastify.addContentTypeParser('*', (_req, payload, done) => {
    payload.resume();
    done(null, undefined);
  });
}
