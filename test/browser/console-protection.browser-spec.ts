import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { registerUser } from '../support/factories';
import { until } from '../support/wait';
import { screenshot, screenshotsOnFailure } from '../support/screenshots';

/**
 * The console's view of the protections around requests (issue #30): a pile-on driven with real
 * requests shows on the dashboard (trips per day) and on the person's page; a sender whose
 * fan-out burst was held shows in the spam-request queue with the burst, and a moderator
 * releases the held requests to their recipients. Small thresholds: the 4th request to one
 * person trips the breaker, the 3rd conversation with strangers is held.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-artifacts', 'browser', 'protection');
const PILE_ON = 3;
const FANOUT = 2;

let t: TestApp;
let browser: Browser;
screenshotsOnFailure(SHOTS, () => browser);
let page: Page;
let step = 0;
const shot = (name: string) => screenshot(page, join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'admin', 'index.html'))) {
    throw new Error('The console is not built: run `npm run build:admin` (npm test does it first).');
  }
  mkdirSync(SHOTS, { recursive: true });
  t = await startTestApp({ label: 'browser_protection', env: { PILE_ON_REQUESTS: String(PILE_ON), FANOUT_REQUESTS: String(FANOUT) } });
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
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

it('staff see a pile-on on the dashboard and the user page, and release requests a fan-out burst held', async () => {
  // A pile-on: one request more than the threshold, from as many strangers.
  const victim = await registerUser(t.url);
  for (let i = 0; i <= PILE_ON; i++) {
    const s = await registerUser(t.url);
    await request(t.url)
      .post('/v1/conversations')
      .set(s.auth)
      .send({ participantIds: [victim.id] })
      .expect(201);
  }
  // A fan-out: the sender's conversation with a stranger past FANOUT is held.
  const sender = await registerUser(t.url);
  const recipients = await Promise.all(Array.from({ length: FANOUT + 1 }, () => registerUser(t.url)));
  for (const r of recipients)
    await request(t.url)
      .post('/v1/conversations')
      .set(sender.auth)
      .send({ participantIds: [r.id] })
      .expect(201);
  const held = recipients[FANOUT];
  const requestsOf = async (u: { auth: Record<string, string> }) =>
    (await request(t.url).get('/v1/conversations?folder=requests').set(u.auth).expect(200)).body.items as unknown[];
  expect(await requestsOf(held)).toEqual([]);

  await page.goto(`${t.url}/admin/`);
  await page.locator('input[name="email"]').fill('admin@example.com');
  await page.locator('input[name="password"]').fill('admin-password-1');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('dashboard').waitFor();
  await page.getByTestId('pile-on-trips-total').filter({ hasText: '1 in the last 14 days' }).waitFor();
  await shot('dashboard-trips');

  await page.goto(`${t.url}/admin/#/users/${victim.id}/show`);
  const trips = page.getByTestId('history-section').filter({ hasText: 'Pile-on breaker trips' });
  await trips.getByText('Pile-on breaker trips (Limits switched on to protect them) (1)').waitFor();
  await shot('user-trips');

  await page.goto(`${t.url}/admin/#/spam-requests`);
  await page.getByText(`${FANOUT + 1} new chats in 10 min`).waitFor();
  await shot('spam-queue-burst');
  await page.goto(`${t.url}/admin/#/spam-requests/${sender.id}/show`);
  const box = page.getByTestId('held-requests');
  await box.getByText(/1 request held for review/).waitFor();
  await box.getByRole('button', { name: 'Release to recipients' }).click();
  await page.getByText('Released: the recipients see these requests now').waitFor();
  await shot('released');
  await until('the held request to reach its recipient', async () => (await requestsOf(held)).length === 1);
});
