import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';

/**
 * Hidden words and the hidden folder (issue #14, API.md v1.1 "Hidden requests"): a request
 * whose readable messages contain one of the recipient's hidden words (or a default-list
 * word while useDefaultList is on) is listed in folder=hidden instead of requests; it is
 * still a pending request, and its sender is not told. Decided at read time, so changing
 * the words re-sorts existing requests.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'hidden_words', env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600' } });
});
afterAll(async () => {
  await t?.close();
});

const ids = async (u: TestUser, folder: string) =>
  ((await t.http().get(`/v1/conversations?folder=${folder}`).set(u.auth).expect(200)).body.items as any[]).map((c) => c.id);
const setWords = (u: TestUser, words: string[], useDefaultList = false) =>
  t.http().put('/v1/me/hidden-words').set(u.auth).send({ words, useDefaultList }).expect(200);
async function request(from: TestUser, to: TestUser, ...texts: string[]): Promise<string> {
  const conv = (
    await t
      .http()
      .post('/v1/conversations')
      .set(from.auth)
      .send({ participantIds: [to.id] })
      .expect(201)
  ).body;
  expect(conv.members.find((m: any) => m.userId === to.id).state).toBe('pending');
  for (const text of texts)
    await t.http().post(`/v1/conversations/${conv.id}/messages`).set(from.auth).send({ clientId: randomUUID(), text }).expect(201);
  return conv.id;
}

describe('hidden words settings', () => {
  it('a new account has no words and the default list on', async () => {
    const u = await registerUser(t.url);
    const res = await t.http().get('/v1/me/hidden-words').set(u.auth).expect(200);
    expect(res.body).toEqual({ words: [], useDefaultList: true });
    await expectContract(res, 'GET /v1/me/hidden-words', 200);
    await expectError(await t.http().get('/v1/me/hidden-words'), 'GET /v1/me/hidden-words', 401, 'unauthorized');
  });

  it('PUT replaces both fields and GET returns them (trimmed, duplicates dropped)', async () => {
    const u = await registerUser(t.url);
    const put = await setWords(u, [' idiot ', 'idiot', 'go away'], false);
    expect(put.body).toEqual({ words: ['idiot', 'go away'], useDefaultList: false });
    await expectContract(put, 'PUT /v1/me/hidden-words', 200);
    expect((await t.http().get('/v1/me/hidden-words').set(u.auth).expect(200)).body).toEqual(put.body);
  });

  it.each([
    ['more than 200 words', { words: Array.from({ length: 201 }, (_, i) => `w${i}`), useDefaultList: true }, 'words'],
    ['an empty word', { words: ['ok', '  '], useDefaultList: true }, 'words[1]'],
    ['a word of 51 characters', { words: ['x'.repeat(51)], useDefaultList: true }, 'words[0]'],
    ['a word that is not a string', { words: [7], useDefaultList: true }, 'words[0]'],
    ['words not an array', { words: 'idiot', useDefaultList: true }, 'words'],
    ['words missing', { useDefaultList: true }, 'words'],
    ['useDefaultList missing', { words: ['idiot'] }, 'useDefaultList'],
    ['useDefaultList not a boolean', { words: ['idiot'], useDefaultList: 'yes' }, 'useDefaultList'],
  ])('PUT refuses %s with 400 invalid_request naming the field, and changes nothing', async (_name, body, field) => {
    const u = await registerUser(t.url);
    const res = await t.http().put('/v1/me/hidden-words').set(u.auth).send(body);
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400, 'invalid_request');
    await expectError(res, 'PUT /v1/me/hidden-words', 400, 'invalid_request');
    expect(res.body.details.map((d: any) => d.field)).toContain(field);
    expect((await t.http().get('/v1/me/hidden-words').set(u.auth).expect(200)).body).toEqual({ words: [], useDefaultList: true });
  });

  it('200 words of 50 characters are accepted', async () => {
    const u = await registerUser(t.url);
    const words = Array.from({ length: 200 }, (_, i) => `${i}`.padStart(50, 'w'));
    expect((await setWords(u, words, true)).body.words).toHaveLength(200);
  });
});

describe('the hidden folder', () => {
  it('a request saying "h3ll0 IDIOT" to someone hiding `idiot` is in hidden, not in requests; a clean one stays in requests', async () => {
    const [sender, clean, recipient] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    await setWords(recipient, ['idiot'], false);
    const bad = await request(sender, recipient, 'h3ll0 IDIOT');
    const ok = await request(clean, recipient, 'hello there');
    expect(await ids(recipient, 'hidden')).toEqual([bad]);
    expect(await ids(recipient, 'requests')).toEqual([ok]);
    expect(await ids(recipient, 'inbox')).toEqual([]);
  });

  it('matching ignores case, accents and look-alikes (0 1 3 4 @ 5 $), in the word as in the text', async () => {
    const recipient = await registerUser(t.url);
    await setWords(recipient, ['idiot', 'stupid', 'l0ser', 'asshat'], false);
    const hidden = [];
    for (const text of ['you 1D10T', 'ÍDÏÔT!', '$TUP1D', 'what a loser', 'hey @$$h4t'])
      hidden.push(await request(await registerUser(t.url), recipient, text));
    expect((await ids(recipient, 'hidden')).sort()).toEqual(hidden.sort());
    expect(await ids(recipient, 'requests')).toEqual([]);
  });

  it('matching is by whole word: `ass` hides neither "first class" nor "assess", but hides "@ss"', async () => {
    const recipient = await registerUser(t.url);
    await setWords(recipient, ['ass'], false);
    const c1 = await request(await registerUser(t.url), recipient, 'first class ticket');
    const c2 = await request(await registerUser(t.url), recipient, 'please assess this');
    const c3 = await request(await registerUser(t.url), recipient, 'you @ss');
    expect(await ids(recipient, 'hidden')).toEqual([c3]);
    expect((await ids(recipient, 'requests')).sort()).toEqual([c1, c2].sort());
  });

  it('the default list hides a request while useDefaultList is on, and not once it is off', async () => {
    const recipient = await registerUser(t.url);
    const conv = await request(await registerUser(t.url), recipient, 'sh1t, answer me');
    expect(await ids(recipient, 'hidden')).toEqual([conv]);
    expect(await ids(recipient, 'requests')).toEqual([]);
    await setWords(recipient, [], false);
    expect(await ids(recipient, 'hidden')).toEqual([]);
    expect(await ids(recipient, 'requests')).toEqual([conv]);
  });

  it('changing my words re-sorts existing requests both ways', async () => {
    const recipient = await registerUser(t.url);
    await setWords(recipient, [], false);
    const conv = await request(await registerUser(t.url), recipient, 'hi', 'you are a creep');
    expect(await ids(recipient, 'requests')).toEqual([conv]);
    await setWords(recipient, ['creep'], false);
    expect(await ids(recipient, 'hidden')).toEqual([conv]);
    expect(await ids(recipient, 'requests')).toEqual([]);
    await setWords(recipient, ['other'], false);
    expect(await ids(recipient, 'hidden')).toEqual([]);
    expect(await ids(recipient, 'requests')).toEqual([conv]);
  });

  it('the hidden and requests folders page separately with exact cursors', async () => {
    const recipient = await registerUser(t.url);
    await setWords(recipient, ['idiot'], false);
    const hidden: string[] = [];
    const shown: string[] = [];
    for (let i = 0; i < 3; i++) {
      hidden.unshift(await request(await registerUser(t.url), recipient, `idiot ${i}`));
      shown.unshift(await request(await registerUser(t.url), recipient, `hello ${i}`));
    }
    for (const [folder, expected] of [
      ['hidden', hidden],
      ['requests', shown],
    ] as const) {
      const p1 = (await t.http().get(`/v1/conversations?folder=${folder}&limit=2`).set(recipient.auth).expect(200)).body;
      expect(p1.items.map((c: any) => c.id)).toEqual(expected.slice(0, 2));
      const p2 = (await t.http().get(`/v1/conversations?folder=${folder}&limit=2&cursor=${p1.nextCursor}`).set(recipient.auth).expect(200))
        .body;
      expect(p2.items.map((c: any) => c.id)).toEqual(expected.slice(2));
      expect(p2.nextCursor).toBeNull();
    }
  });

  it('a hidden request is still pending: it can be accepted (moves to inbox)', async () => {
    const [sender, recipient] = [await registerUser(t.url), await registerUser(t.url)];
    await setWords(recipient, ['idiot'], false);
    const conv = await request(sender, recipient, 'idiot');
    expect((await t.http().get(`/v1/conversations/${conv}`).set(recipient.auth).expect(200)).body.myState).toBe('pending');
    await t.http().post(`/v1/conversations/${conv}/accept`).set(recipient.auth).expect(200);
    expect(await ids(recipient, 'hidden')).toEqual([]);
    expect(await ids(recipient, 'inbox')).toEqual([conv]);
  });

  it('a hidden request can be reported and declined; the sender is not told (their view is unchanged)', async () => {
    const [sender, recipient] = [await registerUser(t.url), await registerUser(t.url)];
    await setWords(recipient, ['idiot'], false);
    const conv = await request(sender, recipient, 'idiot');
    const before = (await t.http().get(`/v1/conversations/${conv}`).set(sender.auth).expect(200)).body;
    expect(before.members.find((m: any) => m.userId === recipient.id).state).toBe('pending');

    const msg = (await t.http().get(`/v1/conversations/${conv}/messages`).set(recipient.auth).expect(200)).body.items[0];
    const report = await t
      .http()
      .post('/v1/reports')
      .set(recipient.auth)
      .send({ subjectType: 'message', subjectId: msg.id, reason: 'harassment' });
    expect(report.status).toBe(201);
    expect(await ids(recipient, 'hidden')).toEqual([conv]);

    await t.http().post(`/v1/conversations/${conv}/decline`).set(recipient.auth).expect(200);
    expect(await ids(recipient, 'hidden')).toEqual([]);
    expect(await ids(recipient, 'requests')).toEqual([]);
    const after = (await t.http().get(`/v1/conversations/${conv}`).set(sender.auth).expect(200)).body;
    expect(after).toEqual(before);
    expect(await ids(sender, 'inbox')).toEqual([conv]);
  });

  it('folder must be inbox, requests or hidden: anything else is 400 invalid_request', async () => {
    const u = await registerUser(t.url);
    const res = await t.http().get('/v1/conversations?folder=spam').set(u.auth);
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400, 'invalid_request');
  });
});
