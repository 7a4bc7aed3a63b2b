import Fastify from 'fastify';
import type { IncomingMessage } from 'node:http';
import { createRootLogger, useRequestLog } from './request-log';

async function run(level: string) {
  const lines: Array<Record<string, any>> = [];
  const root = createRootLogger({ logLevel: level, logFormat: 'json' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const app = Fastify({ genReqId: () => 'rid-1' });
  useRequestLog(app, root);
  app.get('/x', async (req) => {
    const log = (req.raw as IncomingMessage & { log: typeof root }).log;
    log.warn({ a: 1 }, 'inside');
    log.child({ c: 2 }).debug('detail');
    return { ok: true };
  });
  app.get('/boom', async (_req, reply) => reply.status(500).send({}));
  app.get('/health', async () => ({}));
  await app.inject({ url: '/x?q=1', headers: { authorization: 'Bearer secret', cookie: 'sid=1' } });
  await app.inject({ url: '/boom' });
  await app.inject({ url: '/health' });
  await app.close();
  return lines;
}

describe('request log', () => {
  it('at info: the request on its lines (credentials removed), completed and errored answers, no probes', async () => {
    const lines = await run('info');
    expect(lines.map((l) => l.msg)).toEqual(['inside', 'request completed', 'request errored']);
    const [inside, completed, errored] = lines;
    expect(inside).toMatchObject({ level: 40, a: 1, req: { id: 'rid-1', method: 'GET', url: '/x?q=1' } });
    expect(inside.req.headers.authorization).toBeUndefined();
    expect(inside.req.headers.cookie).toBeUndefined();
    expect(completed).toMatchObject({ level: 30, req: { id: 'rid-1', url: '/x?q=1' }, res: { statusCode: 200 } });
    expect(typeof completed.responseTime).toBe('number');
    expect(errored).toMatchObject({
      level: 30,
      req: { url: '/boom' },
      res: { statusCode: 500 },
      err: { message: 'failed with status code 500' },
    });
  });

  it('at warn: only the warning, still with its request; at debug a child logger keeps the request too', async () => {
    expect((await run('warn')).map((l) => [l.msg, l.req?.id])).toEqual([['inside', 'rid-1']]);
    const debug = await run('debug');
    expect(debug.find((l) => l.msg === 'detail')).toMatchObject({ level: 20, c: 2, req: { id: 'rid-1', url: '/x?q=1' } });
  });
});
