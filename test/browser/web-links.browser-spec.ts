import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, uniqueHandle } from '../support/factories';
import { screenshot, screenshotsOnFailure } from '../support/screenshots';

/**
 * Honest link chips in the web app (issue #32 item 6), on a deployment with no reputation feed
 * (every test app): an unknown link that only the offline checks passed is a neutral link (not
 * a green "safe") that opens in a new tab without an opener; a suspicious one (a heuristic trip:
 * free-bitcoin-claim.xyz/login) opens only through a confirm screen that says why; a malicious
 * one (a blocklisted domain) is never a link: its message is removed.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-artifacts', 'browser', 'web-links');
const PHONE = { width: 390, height: 844 };
const PASSWORD = 'browser-test-password';

let t: TestApp;
let browser: Browser;
screenshotsOnFailure(SHOTS, () => browser);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'web', 'index.html'))) {
    throw new Error('The web app is not built: run `npm run build:web` (npm test does it first).');
  }
  mkdirSync(SHOTS, { recursive: true });
  t = await startTestApp({ label: 'web_links' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
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

async function say(page: Page, text: string) {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.keyboard.press('Enter');
}

it('an unchecked link is neutral and opens in a new tab, a suspicious one opens through a confirm screen, a malicious one is never a link', async () => {
  const bob = await registerUser(t.url);
  const staff = await loginStaff(t.url);
  const blocked = await request(t.url)
    .post('/admin/v1/blocklist')
    .set(staff.auth)
    .send({ pattern: 'evil-downloads.example', kind: 'domain', reason: 'malware' });
  expect(blocked.status).toBe(201);

  const { context, page, errors } = await open();
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Handle').fill(uniqueHandle('alice'));
  await page.getByLabel('Display name').fill('Alice');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  await page.getByRole('link', { name: 'New chat' }).click();
  await page.getByLabel('Their handle').fill(bob.handle);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.getByRole('heading', { name: bob.handle }).waitFor();

  // No feed is loaded: the verdict is `safe` from the blocklist and heuristics alone, shown as a plain link.
  await say(page, 'notes at https://unknown-notes.example.com/agenda');
  const plain = page.getByRole('link', { name: 'unknown-notes.example.com' });
  // Not a link while it is being checked; a link once its verdict arrives live.
  await plain.waitFor();
  expect(await plain.getAttribute('href')).toBe('https://unknown-notes.example.com/agenda');
  expect(await plain.getAttribute('target')).toBe('_blank');
  expect(await plain.getAttribute('rel')).toBe('noopener noreferrer');
  expect(await plain.getAttribute('title')).toBe('Checked by our blocklist and our offline checks. No reputation service was consulted.');
  const plainChip = page.getByRole('list', { name: 'Links' }).getByRole('listitem').filter({ hasText: 'unknown-notes.example.com' });
  expect(await plainChip.getAttribute('class')).toBe('chip chip-unchecked');
  expect(await plainChip.innerText()).not.toContain('safe');

  // A heuristic trip: a button that opens the confirm screen, not a link.
  await say(page, 'claim it: free-bitcoin-claim.xyz/login');
  const suspicious = page.getByRole('button', { name: 'free-bitcoin-claim.xyz suspicious' });
  await suspicious.click();
  expect(await page.getByRole('link', { name: /free-bitcoin-claim/ }).count()).toBe(0);
  const dialog = page.getByRole('dialog', { name: 'This link looks suspicious' });
  await dialog.getByText('Its address uses a domain ending that scams often use, with bait words or a sign-in page.').waitFor();
  await dialog.getByText('http://free-bitcoin-claim.xyz/login').waitFor();
  await dialog.getByText('Checked by our blocklist and our offline checks. No reputation service was consulted.').waitFor();
  await screenshot(page, join(SHOTS, 'interstitial.png'));
  const goBack = dialog.getByRole('button', { name: 'Go back' });
  expect(await goBack.evaluate((el) => el === document.activeElement)).toBe(true);
  await goBack.click();
  await dialog.waitFor({ state: 'detached' });

  // "Open anyway" opens it in a new tab, with no opener (the site is stubbed: nothing leaves the machine).
  await context.route('http://free-bitcoin-claim.xyz/**', (r) =>
    r.fulfill({ status: 200, contentType: 'text/html', body: '<title>outside</title>' }),
  );
  await suspicious.click();
  const anyway = dialog.getByRole('link', { name: 'Open anyway' });
  expect(await anyway.getAttribute('rel')).toBe('noopener noreferrer');
  const [tab] = await Promise.all([context.waitForEvent('page'), anyway.click()]);
  await tab.waitForLoadState();
  expect(tab.url()).toBe('http://free-bitcoin-claim.xyz/login');
  expect(await tab.evaluate(() => window.opener)).toBeNull();
  await dialog.waitFor({ state: 'detached' });
  await tab.close();

  // A blocklisted domain: malicious, the message is removed and the link is nowhere clickable.
  await say(page, 'get it at https://evil-downloads.example/setup.exe');
  await page.getByText('Removed: it linked to a dangerous site').waitFor();
  expect(await page.getByRole('link', { name: /evil-downloads/ }).count()).toBe(0);
  expect(await page.getByRole('button', { name: /evil-downloads/ }).count()).toBe(0);
  await screenshot(page, join(SHOTS, 'chips.png'));
  expect(errors).toEqual([]);
  await context.close();
});
