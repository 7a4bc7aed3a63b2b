import { randomBytes } from 'node:crypto';
import request from 'supertest';

export interface TestUser {
  id: string;
  handle: string;
  token: string;
  refreshToken: string;
  auth: { Authorization: string };
}

let counter = 0;
export const uniqueHandle = (base = 'user') => `${base}_${(++counter).toString(36)}${randomBytes(3).toString('hex')}`.slice(0, 30);

export async function registerUser(url: string, handle = uniqueHandle(), password = 'correct horse battery'): Promise<TestUser> {
  const res = await request(url).post('/v1/auth/register').send({ handle, displayName: handle, password });
  if (res.status !== 201) throw new Error(`register ${handle}: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.user.id,
    handle,
    token: res.body.accessToken,
    refreshToken: res.body.refreshToken,
    auth: { Authorization: `Bearer ${res.body.accessToken}` },
  };
}

export async function loginStaff(url: string, email = 'admin@example.com', password = 'admin-password-1') {
  const res = await request(url).post('/admin/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`staff login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, auth: { Authorization: `Bearer ${res.body.accessToken}` } };
}

/** Error bodies always have the contract's shape. */
export function expectErrorShape(body: any, status: number, code?: string) {
  expect(body).toEqual(expect.objectContaining({ statusCode: status, code: expect.any(String), message: expect.any(String) }));
  if (code) expect(body.code).toBe(code);
}
