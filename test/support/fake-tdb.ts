import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateBatch } from '@app/messaging/safety/dsa/statement-validator';

/**
 * A local stand-in for the EU DSA Transparency Database's API, answering as its Laravel code
 * does (routes/api_v1.php, StatementMultipleAPIController, StatementAPIController::existingPuid,
 * PuidNotUniqueMultipleException): Bearer token or 401; existing-puid 302 / 404; the multiple
 * endpoint validates every statement with the same rules (statement-validator.ts) and stores
 * all or none: 422 `{errors: {statement_<i>: …}}`, or 422 `{errors: {puid, existing_puids}}`
 * for puids it already has, else 201 `{statements: [… with uuid]}`. `failNext` makes the next
 * POSTs answer 503, as a database under maintenance does.
 */
export interface FakeTdb {
  url: string;
  token: string;
  /** puid → stored statement. */
  stored: Map<string, Record<string, unknown>>;
  /** Every call, in order: method, path, status, and for POSTs the number of statements. */
  calls: Array<{ method: string; path: string; status: number; statements?: number; auth: string | undefined }>;
  /** The next this many POSTs answer 503. */
  failNext: number;
  close(): Promise<void>;
}

export async function startFakeTdb(token = 'tdb-test-token'): Promise<FakeTdb> {
  const fake: FakeTdb = { url: '', token, stored: new Map(), calls: [], failNext: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    void handle(fake, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // the submitter's keep-alive sockets
    });
  return fake;
}

async function handle(fake: FakeTdb, req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const call: FakeTdb['calls'][number] = { method: req.method ?? '', path, status: 0, auth: req.headers.authorization };
  fake.calls.push(call);
  const answer = (status: number, body: unknown) => {
    call.status = status;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.headers.authorization !== `Bearer ${fake.token}`) return answer(401, { message: 'Unauthenticated.' });
  const existing = /^\/api\/v1\/statement\/existing-puid\/(.+)$/.exec(path);
  if (req.method === 'GET' && existing) {
    const puid = decodeURIComponent(existing[1]);
    return fake.stored.has(puid)
      ? answer(302, { message: 'statement of reason found', puid })
      : answer(404, { message: 'statement of reason not found', puid });
  }
  if (req.method === 'POST' && path === '/api/v1/statements') {
    if (fake.failNext > 0) {
      fake.failNext--;
      return answer(503, { message: 'Service Unavailable' });
    }
    let body: any;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(400, { message: 'Malformed JSON.' });
    }
    call.statements = Array.isArray(body?.statements) ? body.statements.length : undefined;
    const verdict = validateBatch(body);
    if (Object.keys(verdict.errors).length > 0) return answer(422, { errors: verdict.errors });
    const puids: string[] = body.statements.map((s: any) => s.puid);
    const duplicates = [...new Set([...verdict.duplicatePuids, ...puids.filter((p) => fake.stored.has(p))])];
    if (duplicates.length > 0) {
      const message = 'The platform identifier(s) are not all unique within this call.';
      return answer(422, { message, errors: { puid: [message], existing_puids: duplicates } });
    }
    const out = body.statements.map((s: Record<string, unknown>) => {
      const uuid = randomUUID();
      fake.stored.set(String(s.puid), { ...s, uuid });
      return { ...s, uuid, permalink: `${fake.url}/statement/${uuid}`, self: `${fake.url}/api/v1/statement/${uuid}` };
    });
    return answer(201, { statements: out });
  }
  return answer(404, { message: 'Not Found' });
}
