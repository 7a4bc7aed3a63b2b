import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, type TestUser } from '../support/factories';
import { until } from '../support/wait';
import { screenshot, screenshotsOnFailure } from '../support/screenshots';

/**
 * The console in Debian's Chromium:
 * - a case page reads the reported conversation's lock state from the API and offers the one
 *   action that applies, after a reload too; a click on a page made stale by another moderator
 *   is refused with a sentence (409 lock_state_changed) and changes nothing, and the page then
 *   shows the current state;
 * - the links list and a link's page say which sources a verdict consulted, in words.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-artifacts', 'browser', 'locks-and-sources');

let t: TestApp;
let browser: Browser;
screenshotsOnFailure(SHOTS, () => browser);
let page: Page;
let admin: { auth: Record<string, string> };
let step = 0;
const shot = (name: string) => screenshot(page, join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`));
const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'admin', 'index.html'))) {
    throw new Error('The console is not built: run `npm run build:admin` (npm test does it first).');
  }
  mkdirSync(SHOTS, { recursive: true });
  t = await startTestApp({ label: 'browser_locks_sources' });
  admin = await loginStaff(t.url);
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
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(20_000);
  await page.goto(`${t.url}/admin/`);
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill('admin-password-1');
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.getByTestId('dashboard').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Two people who follow each other, in a direct conversation. */
async function chat(a: TestUser, b: TestUser): Promise<string> {
  await request(t.url).put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  await request(t.url).put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
  const c = await request(t.url)
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] });
  expect([200, 201]).toContain(c.status);
  return c.body.id as string;
}

const lockedFor = async (user: TestUser, conv: string): Promise<boolean> =>
  (await request(t.url).get(`/v1/conversations/${conv}`).set(user.auth).expect(200)).body.locked;

it('a case page offers the lock action that applies now; a stale click is refused in words and changes nothing', async () => {
  const offender = await registerUser(t.url);
  const reporter = await registerUser(t.url);
  const conv = await chat(offender, reporter);
  await request(t.url)
    .post('/v1/reports')
    .set(reporter.auth)
    .send({ subjectType: 'conversation', subjectId: conv, reason: 'harassment' })
    .expect(201);
  const [c] = (
    await request(t.url)
      .get(`/admin/v1/cases?filter=${q({ subjectUserId: offender.id, status: 'open' })}`)
      .set(admin.auth)
      .expect(200)
  ).body;
  const detail = await request(t.url).get(`/admin/v1/cases/${c.id}`).set(admin.auth).expect(200);
  expect(detail.body.conversations).toEqual([{ id: conv, locked: false, lockedAt: null }]);

  await page.goto(`${t.url}/admin/#/cases/${c.id}/show`);
  const row = page.getByTestId('case-report-row').filter({ hasText: 'Conversation' });
  await row.getByText('Open: members can write').waitFor();
  await row.getByRole('button', { name: 'Lock conversation', exact: true }).waitFor();
  expect(await row.getByRole('button', { name: /unlock/i }).count()).toBe(0);

  // Another moderator locks it while this page shows it open.
  await request(t.url).post(`/admin/v1/conversations/${conv}/lock`).set(admin.auth).send({ note: 'from elsewhere' }).expect(200);

  // The stale click: refused with a sentence, nothing changed, and the page now offers Unlock.
  const refused = page.waitForResponse((r) => r.url().endsWith(`/conversations/${conv}/lock`) && r.request().method() === 'POST');
  await row.getByRole('button', { name: 'Lock conversation', exact: true }).click();
  const res = await refused;
  expect(res.status()).toBe(409);
  expect(await res.json()).toMatchObject({ code: 'lock_state_changed' });
  await row
    .getByRole('alert')
    .filter({ hasText: 'Someone locked this conversation after you read it, so it is already locked; nothing was changed.' })
    .waitFor();
  expect(await row.getByRole('alert').textContent()).not.toMatch(/lock_state_changed|409/);
  await row.getByRole('button', { name: 'Unlock conversation', exact: true }).waitFor();
  await shot('stale-lock-refused');
  const audit = await request(t.url)
    .get(`/admin/v1/audit-log?filter=${q({ subjectId: conv })}&range=[0,49]`)
    .set(admin.auth)
    .expect(200);
  expect((audit.body as Array<{ action: string }>).filter((e) => e.action === 'conversation.lock')).toHaveLength(1);
  expect(await lockedFor(reporter, conv)).toBe(true);

  // After a reload the page reads the state again: locked, so Unlock is what it offers.
  await page.reload();
  await row.getByText(/^Locked since /).waitFor();
  expect(await row.getByRole('button', { name: 'Lock conversation', exact: true }).count()).toBe(0);
  await row.getByRole('button', { name: 'Unlock conversation', exact: true }).click();
  await row.getByRole('button', { name: 'Lock conversation', exact: true }).waitFor();
  await until('the unlock to reach the conversation', async () => !(await lockedFor(reporter, conv)));
  await shot('unlocked');
});

it('the links list and a link page name the sources a verdict consulted, in words', async () => {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  const conv = await chat(a, b);
  const host = `sources-${randomBytes(4).toString('hex')}.example.org`;
  await request(t.url)
    .post(`/v1/conversations/${conv}/messages`)
    .set(a.auth)
    .send({ clientId: randomUUID(), text: `see https://${host}/page` })
    .expect(201);
  let link: { id: string; sources: string[]; verdict: string } | undefined;
  await until('the link to be scanned', async () => {
    const list = await request(t.url)
      .get(`/admin/v1/links?filter=${q({ host })}`)
      .set(admin.auth)
      .expect(200);
    link = list.body[0];
    return link?.verdict === 'safe';
  });
  expect(link!.sources).toEqual(['blocklist', 'heuristics']);

  await page.goto(`${t.url}/admin/#/links?filter=${q({ host })}`);
  const linkRow = page.locator('tbody tr').filter({ hasText: host });
  const sources = linkRow.getByRole('list', { name: 'Sources consulted' });
  await sources.getByText('Blocklist', { exact: true }).waitFor();
  await sources.getByText('Offline checks', { exact: true }).waitFor();
  expect(await sources.innerText()).not.toMatch(/heuristics|blocklist/);
  await shot('links-list-sources');

  await linkRow.click();
  await page.waitForURL(/#\/links\/.+\/show/);
  const shown = page.getByRole('list', { name: 'Sources consulted' });
  await shown.getByText('Blocklist', { exact: true }).waitFor();
  await shown.getByText('Offline checks', { exact: true }).waitFor();

  // A staff label: the verdict's only source is staff, said as such.
  await request(t.url).put(`/admin/v1/links/${link!.id}`).set(admin.auth).send({ verdict: 'suspicious', reason: 'looks off' }).expect(200);
  await page.reload();
  await page.getByRole('list', { name: 'Sources consulted' }).getByText('Staff decision', { exact: true }).waitFor();
  await shot('link-show-sources');
});
