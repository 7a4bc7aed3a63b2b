import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, type TestUser } from '../support/factories';
import { OFFLINE_SOURCES, SAFE_OFFLINE_REASON } from '../support/link-verdicts';
import { until } from '../support/wait';

/**
 * A link verdict says which sources were consulted (issue #30 item 6), here with no reputation
 * feed or lookup configured: an unknown link is `safe` from the offline checks alone and says
 * so (its `sources` and its `reason`), a heuristic trip names the heuristics, and a send that
 * settles the link from the verdict cache copies both. The feeds' side is in
 * link-feeds.e2e-spec.ts (a listed link names its feed).
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ label: 'link_sources' });
});
afterAll(async () => {
  await t?.close();
});

async function pair(): Promise<{ a: TestUser; b: TestUser; conversationId: string }> {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  expect((await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth)).status).toBe(204);
  const res = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] });
  expect(res.status).toBe(201);
  return { a, b, conversationId: res.body.id };
}

async function send(u: TestUser, conversationId: string, text: string) {
  const res = await t.http().post(`/v1/conversations/${conversationId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
  expect(res.status).toBe(201);
  return res.body;
}

/** The message as `reader` lists it, once no link of it is pending. */
async function scanned(reader: TestUser, conversationId: string, id: string) {
  return until(`the verdicts of ${id}`, async () => {
    const items = (await t.http().get(`/v1/conversations/${conversationId}/messages`).set(reader.auth)).body.items as any[];
    const m = items.find((x) => x.id === id);
    return m && m.links.every((l: any) => l.verdict !== 'pending') ? m : null;
  });
}

it('with no reputation feed loaded, an unknown link is safe from the offline checks alone, and its reason and sources say so', async () => {
  const { a, b, conversationId } = await pair();
  const sent = await send(a, conversationId, 'notes at https://unknown-notes.example.com/agenda');
  expect(sent.links).toEqual([{ url: 'https://unknown-notes.example.com/agenda', verdict: 'pending' }]);
  const m = await scanned(b, conversationId, sent.id);
  expect(m.links).toEqual([
    { url: 'https://unknown-notes.example.com/agenda', verdict: 'safe', reason: SAFE_OFFLINE_REASON, sources: OFFLINE_SOURCES },
  ]);
});

it('a heuristic trip names the heuristics among the sources consulted, with the code of what tripped', async () => {
  const { a, b, conversationId } = await pair();
  const sent = await send(a, conversationId, 'claim it: free-bitcoin-claim.xyz/login');
  const m = await scanned(b, conversationId, sent.id);
  expect(m.links).toEqual([
    { url: 'http://free-bitcoin-claim.xyz/login', verdict: 'suspicious', reason: 'abused_tld_lure', sources: ['blocklist', 'heuristics'] },
  ]);
});

it('a send that settles a link from the verdict cache copies its reason and sources (the message.created a member reads)', async () => {
  const { a, b, conversationId } = await pair();
  const first = await send(a, conversationId, 'https://cached-sources.example.org/page');
  await scanned(b, conversationId, first.id);
  const second = await send(a, conversationId, 'again https://cached-sources.example.org/page');
  const expected = [
    { url: 'https://cached-sources.example.org/page', verdict: 'safe', reason: SAFE_OFFLINE_REASON, sources: OFFLINE_SOURCES },
  ];
  expect(second.links).toEqual(expected);
  expect((await scanned(b, conversationId, second.id)).links).toEqual(expected);
});

it('a verdict staff set names staff as its one source, and the next send copies it', async () => {
  const { a, b, conversationId } = await pair();
  const first = await send(a, conversationId, 'https://bit.ly/team-handbook');
  expect((await scanned(b, conversationId, first.id)).links).toEqual([
    { url: 'https://bit.ly/team-handbook', verdict: 'suspicious', reason: 'url_shortener', sources: OFFLINE_SOURCES },
  ]);
  const staff = await loginStaff(t.url);
  const listed = await t
    .http()
    .get('/admin/v1/links')
    .query({ filter: JSON.stringify({ q: 'team-handbook' }) })
    .set(staff.auth);
  expect(listed.status).toBe(200);
  const id = (listed.body as any[]).find((l) => l.url === 'https://bit.ly/team-handbook').id;
  const labelled = await t.http().put(`/admin/v1/links/${id}`).set(staff.auth).send({ verdict: 'safe', reason: 'our own short link' });
  expect(labelled.status).toBe(200);
  const again = await send(a, conversationId, 'https://bit.ly/team-handbook');
  expect(again.links).toEqual([{ url: 'https://bit.ly/team-handbook', verdict: 'safe', reason: 'our own short link', sources: ['staff'] }]);
});
