import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser } from '../support/factories';

/**
 * Issue #26, item 6: a cursor or a date that JavaScript reads as a number or a time but
 * PostgreSQL refuses (a real out of float4's range, year 0, year 10000) is a 400, never a 500.
 * Cursors are refused as `invalid_cursor` (like any other cursor this service did not issue),
 * dates as `invalid_request`.
 */
let t: TestApp;
let admin: { auth: { Authorization: string } };

beforeAll(async () => {
  t = await startTestApp({ label: 'inputranges' });
  admin = await loginStaff(t.url);
});
afterAll(async () => {
  await t?.close();
});

const uuid = '0190a000-0000-7000-8000-000000000000';
const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

describe('cursors', () => {
  it('a search cursor whose rank is not a real PostgreSQL can store (1e39, 1e-50, Infinity) or has extra parts is 400 invalid_cursor', async () => {
    const a = await registerUser(t.url);
    for (const rank of ['1e39', '-1e39', '1e-50', '3.5e38', 'Infinity', 'NaN', '']) {
      const r = await t
        .http()
        .get('/v1/search')
        .query({ q: 'hello', cursor: cursorOf(`${rank}|${uuid}`) })
        .set(a.auth);
      expect([rank, r.status]).toEqual([rank, 400]);
      expectErrorShape(r.body, 400, 'invalid_cursor');
    }
    for (const raw of [`0.5|${uuid}|x`, `0.5|not-a-uuid`, '0.5']) {
      expectErrorShape(
        (
          await t
            .http()
            .get('/v1/search')
            .query({ q: 'hello', cursor: cursorOf(raw) })
            .set(a.auth)
        ).body,
        400,
        'invalid_cursor',
      );
    }
    // Ranks PostgreSQL does store still page (nothing matches: an empty page).
    for (const rank of ['0.0607927', '0', '1e-40', '3.4e38']) {
      const r = await t
        .http()
        .get('/v1/search')
        .query({ q: 'hello', cursor: cursorOf(`${rank}|${uuid}`) })
        .set(a.auth);
      expect([rank, r.status, r.body.items]).toEqual([rank, 200, []]);
    }
  });

  it('a conversation-list cursor in year 0 is 400 invalid_cursor', async () => {
    const a = await registerUser(t.url);
    for (const at of ['0000-01-01T00:00:00.000Z', '0000-12-31T23:59:59.999Z']) {
      const r = await t
        .http()
        .get('/v1/conversations')
        .query({ folder: 'inbox', cursor: cursorOf(`${at}|${uuid}`) })
        .set(a.auth);
      expect([at, r.status]).toEqual([at, 400]);
      expectErrorShape(r.body, 400, 'invalid_cursor');
    }
    const ok = await t
      .http()
      .get('/v1/conversations')
      .query({ folder: 'inbox', cursor: cursorOf(`0001-01-01T00:00:00.000Z|${uuid}`) })
      .set(a.auth);
    expect([ok.status, ok.body.items]).toEqual([200, []]);
  });
});

describe('dates', () => {
  it('transparency periods outside years 1-9999 or on days that do not exist are 400 invalid_request; an offset is honoured', async () => {
    const get = (query: Record<string, string | undefined>) => t.http().get('/admin/v1/transparency').query(query).set(admin.auth);
    for (const query of [
      { from: '0000-01-01', to: '0001-01-01' },
      { from: '0001-01-01T00:00:00+01:00', to: '0001-02-01' },
      { from: '9999-12-01', to: '9999-12-31T23:00:00-05:00' },
      { from: '2026-02-30', to: '2026-03-05' },
      { from: '2026-01-01T24:00:00Z', to: '2026-01-05' },
      { from: '2026-01-01T10:61', to: '2026-01-05' },
      { to: '0001-01-05' },
    ]) {
      const r = await get(query);
      expect([query, r.status]).toEqual([query, 400]);
      expectErrorShape(r.body, 400, 'invalid_request');
    }
    const ok = await get({ from: '2026-01-01T00:00:00+01:00', to: '2026-01-02T06:30' });
    expect(ok.status).toBe(200);
    expect([ok.body.from, ok.body.to]).toEqual(['2025-12-31T23:00:00.000Z', '2026-01-02T06:30:00.000Z']);
    const edges = await get({ from: '0001-01-01', to: '0001-02-01' });
    expect([edges.status, edges.body.from]).toEqual([200, '0001-01-01T00:00:00.000Z']);
  });
});
