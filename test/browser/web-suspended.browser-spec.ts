import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, uniqueHandle } from '../support/factories';
import { screenshot, screenshotsOnFailure } from '../support/screenshots';

/**
 * The web app's suspended screen (API.md v1.2 sign-in refusal) names the policy the decision
 * was taken under, its severity and, when it gave strikes, until when they count: the refusal
 * carries them beside its documented `{appealToken, action: {id, action, endsAt}, statement}`.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-artifacts', 'browser', 'web-suspended');
const API_PASSWORD = 'correct horse battery'; // registerUser's

let t: TestApp;
let browser: Browser;
screenshotsOnFailure(SHOTS, () => browser);
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'web', 'index.html'))) {
    throw new Error('The web app is not built: run `npm run build:web` (npm test does it first).');
  }
  mkdirSync(SHOTS, { recursive: true });
  t = await startTestApp({ label: 'web_suspended' });
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
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

it('a refused sign-in names the policy, its severity and until when the strikes count, and the suspended screen shows them in words', async () => {
  const sam = await registerUser(t.url, uniqueHandle('sam'));
  const admin = await loginStaff(t.url);
  const act = await request(t.url)
    .post(`/admin/v1/users/${sam.id}/actions`)
    .set(admin.auth)
    .send({ action: 'suspend', durationHours: 48, note: 'threats', policy: 'harassment', severity: 'medium' });
  expect(act.status).toBe(200);
  const actionId: string = act.body.action.id;

  // The refusal: the documented fields unchanged, the policy, severity and strikes added.
  const refused = await request(t.url).post('/v1/auth/login').send({ handle: sam.handle, password: API_PASSWORD });
  expect(refused.status).toBe(401);
  expect(refused.body.code).toBe('account_suspended');
  const details = refused.body.details;
  expect(typeof details.appealToken).toBe('string');
  expect(details.statement).toMatchObject({ action: 'suspend', automated: false });
  expect(details.action).toMatchObject({
    id: actionId,
    action: 'suspend',
    endsAt: act.body.action.expiresAt,
    policy: 'harassment',
    policyTitle: 'Harassment and bullying',
    severity: 'medium',
    strikes: 2,
  });
  const strikesUntil = new Date(details.action.strikesExpireAt).getTime();
  const ninetyDays = Date.now() + 90 * 86_400_000;
  expect(Math.abs(strikesUntil - ninetyDays)).toBeLessThan(10 * 60_000);

  // The screen says them for people: the policy's name, the severity in words, the strikes' end.
  await page.goto(`${t.url}/`);
  await page.getByLabel('Handle').fill(sam.handle);
  await page.getByLabel('Password').fill(API_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Your account is suspended' }).waitFor();
  const reasons = page.locator('dl[aria-label="Statement of reasons"]');
  await reasons.waitFor();
  const row = async (term: string) => (await reasons.locator(`dt:text-is("${term}") + dd`).innerText()).trim();
  expect(await row('Policy')).toBe('Harassment and bullying');
  expect(await row('Severity')).toBe('Medium');
  expect(await row('Strikes')).toMatch(/^2 strikes on your account until .*\d{4}/);
  expect(await reasons.locator('dt:text-is("Strikes") + dd time').getAttribute('datetime')).toBe(details.action.strikesExpireAt);
  expect(await reasons.locator('dt:text-is("Ends") + dd time').getAttribute('datetime')).toBe(act.body.action.expiresAt);
  expect(await page.locator('body').innerText()).not.toMatch(/\bmedium\b|policyTitle|strikesExpireAt|appealToken/);
  await screenshot(page, join(SHOTS, '01-suspended-policy.png'));
});
