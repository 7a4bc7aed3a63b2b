import { BackchannelClient } from './client';
import { ClientStateError } from './errors';
import { MemoryStorage } from './storage';

/**
 * Calls that need a started client fail at once with a stable code (issue #32, item 15: a
 * send() before start() used to wait forever). No server: a fake fetch answers the few REST
 * calls, and the socket points at a closed port.
 */
const CONVERSATION = '00000000-0000-4000-8000-000000000001';
const ME = { id: '00000000-0000-4000-8000-000000000002', handle: 'alice_1', displayName: 'Alice' };

/** Settles within `ms`, else fails: "rejects at once", never "never settles". */
function within<T>(promise: Promise<T>, ms = 1000): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms))]);
}

function fakeServer() {
  const calls: string[] = [];
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const path = new URL(req.url).pathname;
    calls.push(`${req.method} ${path}`);
    if (path === '/v1/auth/register') return json(201, { user: ME, accessToken: 'access', refreshToken: 'refresh' });
    if (path === '/v1/sync') return json(200, { events: [], cursor: '0', hasMore: false });
    if (path === '/v1/auth/logout') return new Response(null, { status: 204 });
    return new Promise<Response>(() => undefined); // a send the server never answers
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

const clients: BackchannelClient[] = [];
const newClient = (fetch?: typeof globalThis.fetch) => {
  const c = new BackchannelClient({ baseUrl: 'http://127.0.0.1:9', storage: new MemoryStorage(), fetch, reconnectDelayMs: 60000 });
  clients.push(c);
  return c;
};
afterEach(() => {
  for (const c of clients.splice(0)) c.stop();
});

describe('a client that is not started', () => {
  it('send() rejects at once with ClientStateError not_started, a sentence saying to call start(), and queues nothing', async () => {
    const bc = newClient();
    const err = await within(bc.send(CONVERSATION, 'hi')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientStateError);
    expect(err).toMatchObject({ name: 'ClientStateError', code: 'not_started' });
    expect((err as Error).message).toMatch(/call start\(\) first/);
    expect(bc.pending()).toEqual([]);
  });

  it('typing() throws the same error', () => {
    expect(() => newClient().typing(CONVERSATION)).toThrow(expect.objectContaining({ code: 'not_started' }));
  });

  it('signing out rejects the sends still waiting with signed_out, and a send after it (the client is stopped) with not_started', async () => {
    const server = fakeServer();
    const bc = newClient(server.fetch);
    await bc.signUp({ handle: ME.handle, displayName: ME.displayName, password: 'correct horse battery' });
    await bc.start();
    const waiting = bc.send(CONVERSATION, 'never answered');
    await within(
      (async () => {
        while (!server.calls.includes(`POST /v1/conversations/${CONVERSATION}/messages`)) await new Promise((r) => setTimeout(r, 10));
      })(),
    );
    expect(bc.pending()).toHaveLength(1);
    await bc.signOut();
    await expect(within(waiting)).rejects.toMatchObject({ name: 'ClientStateError', code: 'signed_out' });
    expect(bc.pending()).toEqual([]);
    await expect(within(bc.send(CONVERSATION, 'after sign-out'))).rejects.toMatchObject({ code: 'not_started' });
  });
});
