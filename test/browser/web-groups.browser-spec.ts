import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, uniqueHandle } from '../support/factories';
import { screenshot, screenshotsOnFailure } from '../support/screenshots';

/**
 * The end-user web app (issue #32 items 1 and 3) in Chromium on a phone-sized screen: a person
 * suspended while signed in is told so, reads the statement of reasons and the end date, and
 * appeals; and groups: created from several handles, their member list, adding someone, and a
 * member leaving, seen live by the others.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-artifacts', 'browser', 'web-groups');
const PHONE = { width: 390, height: 844 };
const PASSWORD = 'browser-test-password';
const API_PASSWORD = 'correct horse battery'; // registerUser's

let t: TestApp;
let browser: Browser;
screenshotsOnFailure(SHOTS, () => browser);
let step = 0;
const shot = (page: Page, name: string) => screenshot(page, join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'web', 'index.html'))) {
    throw new Error('The web app is not built: run `npm run build:web` (npm test does it first).');
  }
  mkdirSync(SHOTS, { recursive: true });
  t = await startTestApp({ label: 'web_groups' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function open(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  await page.goto(`${t.url}/`);
  return { context, page, errors };
}

async function signUp(page: Page, handle: string, name: string) {
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Display name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'online' }).waitFor();
}

it('a person suspended while signed in is told so, reads why and until when, and appeals; staff see the appeal', async () => {
  const sam = await registerUser(t.url, uniqueHandle('sam'));
  const admin = await loginStaff(t.url);
  const { page, errors } = await open();
  await page.getByLabel('Handle').fill(sam.handle);
  await page.getByLabel('Password').fill(API_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'online' }).waitFor();

  // Staff suspend Sam for three days while the app is open.
  const act = await request(t.url)
    .post(`/admin/v1/users/${sam.id}/actions`)
    .set(admin.auth)
    .send({ action: 'suspend', durationHours: 72, note: 'spam run', policy: 'spam' });
  expect(act.status).toBe(200);
  const actionId: string = act.body.action.id;
  const endsAt: string = act.body.action.expiresAt;

  // The open session ends in words, not silently, and the sign-in page keeps the handle.
  await page.getByRole('status').filter({ hasText: 'Your account has been suspended, so you were signed out.' }).waitFor();
  await shot(page, 'signed-out-suspended');
  expect(await page.getByLabel('Handle').inputValue()).toBe(sam.handle);
  await page.getByLabel('Password').fill(API_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  // The suspended screen: the statement of reasons and the end date, no developer text.
  await page.getByRole('heading', { name: 'Your account is suspended' }).waitFor();
  const reasons = page.locator('dl[aria-label="Statement of reasons"]');
  await reasons.waitFor();
  await expect(reasons.textContent()).resolves.toMatch(/What happened.*found spam.*Rule.*Spam and platform manipulation/s);
  expect(await reasons.locator('dt:text-is("Ends") + dd time').getAttribute('datetime')).toBe(endsAt);
  expect(await page.locator('body').innerText()).not.toMatch(/appealToken|POST|\/v1\/|details\./);
  await page.getByText(/You can’t use Backchannel with this account until .*\d{4}/).waitFor();

  // The appeal, filed with the appeal-only token, and its state.
  const text = 'It was my own shop, not spam. Please look again.';
  await page.getByLabel('Why should this decision be reversed?').fill(text);
  await page.getByRole('button', { name: 'Send appeal' }).click();
  const state = page.getByRole('status', { name: 'Your appeal' });
  await state.filter({ hasText: 'Waiting for a moderator to review it.' }).waitFor();
  await state.getByText(text).waitFor();
  await shot(page, 'appeal-sent');

  // Recorded for staff, with the text.
  const appeals = await request(t.url).get('/admin/v1/appeals').query({ range: '[0,99]' }).set(admin.auth);
  expect(appeals.status).toBe(200);
  const filed = (appeals.body as Array<{ actionId: string; userId: string; text: string; status: string }>).find(
    (a) => a.actionId === actionId,
  );
  expect(filed).toMatchObject({ userId: sam.id, text, status: 'open' });

  // Coming back later: the appeal is shown as filed, not a second form.
  await page.getByRole('button', { name: 'Back to sign in' }).click();
  await page.getByLabel('Password').fill(API_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('status', { name: 'Your appeal' }).filter({ hasText: 'Waiting for a moderator' }).waitFor();
  expect(await page.getByRole('button', { name: 'Send appeal' }).count()).toBe(0);

  // The only refusals: the suspended socket/refresh and the two sign-ins (401 account_suspended).
  const unexpected = errors.filter((e) => !/^401 /.test(e) && !/status of 401/.test(e));
  expect(unexpected).toEqual([]);
});

it('a group made from three handles lists its members; adding someone and a member leaving show in the list', async () => {
  const aliceHandle = uniqueHandle('alice');
  const bobHandle = uniqueHandle('bob');
  const carol = await registerUser(t.url, uniqueHandle('carol'));
  const dan = await registerUser(t.url, uniqueHandle('dan'));
  const erin = await registerUser(t.url, uniqueHandle('erin'));
  const alice = await open();
  await signUp(alice.page, aliceHandle, 'Alice');
  const bob = await open();
  await signUp(bob.page, bobHandle, 'Bob');

  // Alice makes a group from three handles (one with an @, separated by commas and spaces).
  await alice.page.getByRole('link', { name: 'New chat' }).click();
  await alice.page.getByLabel('Group name (optional)').fill('Trip planning');
  await alice.page.getByLabel('Members’ handles').fill(`@${bobHandle}, ${carol.handle} ${dan.handle}`);
  await alice.page.getByRole('button', { name: 'Create group' }).click();
  await alice.page.getByRole('heading', { name: 'Trip planning', level: 1 }).waitFor();

  await alice.page.getByRole('button', { name: 'Members (4)' }).click();
  const members = alice.page.getByRole('list', { name: 'Members' }).getByRole('listitem');
  await expect(members.allInnerTexts()).resolves.toEqual([
    expect.stringMatching(new RegExp(`^Alice @${aliceHandle} · you · created the group$`)),
    expect.stringMatching(new RegExp(`^Bob @${bobHandle} · invited, hasn’t joined yet$`)),
    expect.stringMatching(new RegExp(`^${carol.handle} @${carol.handle} · invited`)),
    expect.stringMatching(new RegExp(`^${dan.handle} @${dan.handle} · invited`)),
  ]);

  // Adding Erin by handle.
  await alice.page.getByLabel('Add people by handle').fill(erin.handle);
  await alice.page.getByRole('button', { name: 'Add', exact: true }).click();
  await alice.page
    .getByRole('status')
    .filter({ hasText: `Added ${erin.handle}.` })
    .waitFor();
  await alice.page.getByRole('button', { name: 'Members (5)' }).waitFor();
  await members.filter({ hasText: `@${erin.handle}` }).waitFor();
  await shot(alice.page, 'group-members');

  // Bob finds the group in his requests, accepts, and then leaves it.
  await bob.page.getByRole('link', { name: 'Requests' }).click();
  await bob.page.getByRole('link', { name: /Trip planning/ }).waitFor();
  await bob.page.getByRole('button', { name: 'Accept' }).click();
  await bob.page.getByRole('heading', { name: 'Trip planning', level: 1 }).waitFor();
  await members
    .filter({ hasText: `@${bobHandle}` })
    .filter({ hasNotText: 'invited' })
    .waitFor(); // Alice sees him join
  await bob.page.getByRole('button', { name: 'Members (5)' }).click();
  await bob.page.getByRole('button', { name: 'Leave group' }).click();
  await bob.page.getByRole('button', { name: 'Yes, leave' }).click();
  await bob.page.getByRole('heading', { name: 'Inbox' }).waitFor();
  expect(await bob.page.getByRole('link', { name: /Trip planning/ }).count()).toBe(0);

  // Alice's list follows live: Bob is gone, the others stay.
  await alice.page.getByRole('button', { name: 'Members (4)' }).waitFor();
  await members.filter({ hasText: `@${bobHandle}` }).waitFor({ state: 'detached' });
  await expect(members.allInnerTexts()).resolves.toHaveLength(4);
  await shot(alice.page, 'group-after-leave');

  // The server agrees.
  const list = await request(t.url).get('/v1/conversations').query({ folder: 'requests' }).set(carol.auth);
  const group = list.body.items.find((c: { title: string }) => c.title === 'Trip planning');
  const states = Object.fromEntries(group.members.map((m: { handle: string; state: string }) => [m.handle, m.state]));
  expect(states).toMatchObject({ [aliceHandle]: 'active', [bobHandle]: 'left', [erin.handle]: 'pending' });
  expect([...alice.errors, ...bob.errors]).toEqual([]);
});

it('settings: who can message me, hidden words without the default list, restricted and blocked people with undo, and decline-all for one sender', async () => {
  const mo = await registerUser(t.url, uniqueHandle('mo'));
  const pat = await registerUser(t.url, uniqueHandle('pat'));
  const quinn = await registerUser(t.url, uniqueHandle('quinn'));
  const start = async (from: typeof pat, participantIds: string[], text: string) => {
    const c = await request(t.url).post('/v1/conversations').set(from.auth).send({ participantIds });
    expect(c.status).toBe(201);
    const m = await request(t.url)
      .post(`/v1/conversations/${c.body.id}/messages`)
      .set(from.auth)
      .send({ clientId: `${text}-1`, text });
    expect(m.status).toBe(201);
    return c.body.id as string;
  };
  // Pat starts two requests with Mo (a direct one and a group with Quinn); Quinn one of his own.
  await start(pat, [mo.id], 'hello from pat');
  await start(pat, [mo.id, quinn.id], 'pat’s group');
  await start(quinn, [mo.id], 'hi it is quinn');

  const { page, errors } = await open();
  await page.getByLabel('Handle').fill(mo.handle);
  await page.getByLabel('Password').fill(API_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();

  // Decline all from Pat, from one of his rows: both of his requests go, Quinn's stays.
  await page.getByRole('link', { name: 'Requests' }).click();
  const patRow = page.getByRole('listitem').filter({ hasText: 'hello from pat' });
  await patRow.getByRole('button', { name: 'Decline all from them' }).click();
  await page.getByRole('listitem').filter({ hasText: 'pat’s group' }).waitFor({ state: 'detached' });
  await patRow.waitFor({ state: 'detached' });
  const requests = await request(t.url).get('/v1/conversations').query({ folder: 'requests' }).set(mo.auth);
  expect(requests.body.items.map((c: { lastMessage: { text: string } }) => c.lastMessage.text)).toEqual(['hi it is quinn']);

  // Accept Quinn, then restrict and block him from the conversation.
  await page.getByRole('listitem').filter({ hasText: 'hi it is quinn' }).getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('heading', { name: quinn.handle, level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Restrict' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `You restricted ${quinn.handle}.` })
    .waitFor();
  await page.getByRole('button', { name: 'Block' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `You blocked ${quinn.handle}.` })
    .waitFor();

  // Account: who can message me.
  await page.getByRole('link', { name: `@${mo.handle}` }).click();
  await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  await page.getByLabel('Who can start a conversation with you').selectOption('following');
  await page.getByRole('region', { name: 'Who can message you' }).getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  expect((await request(t.url).get('/v1/me').set(mo.auth)).body.allowIncoming).toBe('following');

  // Hidden words, with the built-in list switched off.
  await page.getByLabel('Your hidden words (one a line)').fill('crypto\nfree money\ncrypto');
  await page.getByLabel(/Also hide requests with common insults/).uncheck();
  await page.getByRole('button', { name: 'Save hidden words' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved: 2 hidden words.' }).waitFor();
  expect((await request(t.url).get('/v1/me/hidden-words').set(mo.auth)).body).toEqual({
    words: ['crypto', 'free money'],
    useDefaultList: false,
  });

  // Restricted and blocked people, each with undo (and undo of the undo).
  const restricted = page.getByRole('region', { name: 'Restricted people' });
  await restricted.getByRole('button', { name: `Unrestrict ${quinn.handle} (@${quinn.handle})` }).click();
  await restricted
    .getByRole('status')
    .filter({ hasText: `You unrestricted ${quinn.handle} (@${quinn.handle}).` })
    .waitFor();
  await restricted.getByRole('button', { name: /^Restrict again/ }).waitFor();
  expect((await request(t.url).get('/v1/me/restricted').set(mo.auth)).body.items).toEqual([]);

  const blocked = page.getByRole('region', { name: 'Blocked people' });
  await blocked.getByRole('button', { name: `Unblock ${quinn.handle} (@${quinn.handle})` }).click();
  await blocked.getByRole('button', { name: /^Block again/ }).click();
  await blocked.getByRole('button', { name: `Unblock ${quinn.handle} (@${quinn.handle})` }).waitFor();
  const blocks = await request(t.url).get('/v1/me/blocks').set(mo.auth);
  expect(blocks.body.items.map((p: { id: string }) => p.id)).toEqual([quinn.id]);
  await shot(page, 'settings');
  expect(errors).toEqual([]);
});
