import { toErrorBody } from './exception.filter';

describe('toErrorBody: a dependency that is down is a 503 with a stable code, never a 500', () => {
  const saved = process.env.DATABASE_URL;
  beforeAll(() => (process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:55432/x'));
  afterAll(() => (process.env.DATABASE_URL = saved));

  const sysErr = (code: string, port: number) =>
    Object.assign(new Error(`connect ${code} 127.0.0.1:${port}`), { code, port, address: '127.0.0.1' });

  it('maps a refused connection to the database port to 503 database_unavailable with Retry-After', () => {
    expect(toErrorBody(sysErr('ECONNREFUSED', 55432))).toEqual({
      body: { statusCode: 503, code: 'database_unavailable', message: expect.any(String) },
      headers: { 'Retry-After': '1' },
    });
  });

  it.each([
    ['a server shutting down (57P01)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a server starting up (57P03)', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    [
      'a pool that cannot get a connection',
      Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }),
    ],
  ])('maps %s to 503 database_unavailable', (_what, err) => {
    expect(toErrorBody(err).body).toEqual({ statusCode: 503, code: 'database_unavailable', message: expect.any(String) });
  });

  it('maps a refused connection to another port (Redis) to 503 service_unavailable', () => {
    expect(toErrorBody(sysErr('ECONNREFUSED', 6379)).body).toEqual({
      statusCode: 503,
      code: 'service_unavailable',
      message: expect.any(String),
    });
  });

  it('keeps any other unexpected error a 500 internal_error', () => {
    expect(toErrorBody(new TypeError('x is undefined')).body).toEqual({
      statusCode: 500,
      code: 'internal_error',
      message: expect.any(String),
    });
    expect(toErrorBody(Object.assign(new Error('duplicate key'), { code: '23505' })).body.statusCode).toBe(500);
  });
});
