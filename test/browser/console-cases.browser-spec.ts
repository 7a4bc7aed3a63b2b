import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, type TestUser } from '../support/factories';
import { until } from '../support/wait';
import { screenshot, screenshotsOnFailure } from '../support/screenshots';

/**
 * Issue #32 items 10 and 11 in Debian's Chromium: a case page shows its reports' frozen
 * evidence; the resolve dialog's template words the facts, the preview shows the statement
 * as the server words it, and the person receives exactly that; rejecting a held message
 * (a strike) asks first, and the card names who it was going to; a rule's exempt users are
 * written as handles.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-artifacts', 'browser', 'cases');

let t: TestApp;
let browser: Browser;
screenshotsOnFailure(SHOTS, () => browser);
let page: Page;
let admin: { auth: Record<string, string> };
let step = 0;
const shot = (name: string) => screenshot(page, join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`));
const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));
const word = () => `zq${[...randomBytes(5)].map((x) => String.fromCharCode(97 + (x % 26))).join('')}`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'admin', 'index.html'))) {
    throw new Error('The console is not built: run `npm run build:admin` (npm test does it first).');
  }
  mkdirSync(SHOTS, { recursive: true });
  t = await startTestApp({ label: 'browser_cases' });
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

it('a case shows its evidence; the template and the preview word the statement the person then receives', async () => {
  const offender = await registerUser(t.url);
  const reporter = await registerUser(t.url);
  const conv = await chat(offender, reporter);
  const text = `Claim your prize at once, ${word()}`;
  const sent = await request(t.url)
    .post(`/v1/conversations/${conv}/messages`)
    .set(offender.auth)
    .send({ clientId: randomUUID(), text })
    .expect(201);
  await request(t.url)
    .post('/v1/reports')
    .set(reporter.auth)
    .send({ subjectType: 'message', subjectId: sent.body.id, reason: 'spam', note: 'They send this to everyone' })
    .expect(201);
  const [c] = (
    await request(t.url)
      .get(`/admin/v1/cases?filter=${q({ subjectUserId: offender.id, status: 'open' })}`)
      .set(admin.auth)
      .expect(200)
  ).body;

  await page.goto(`${t.url}/admin/#/cases/${c.id}/show`);
  const evidence = page.getByRole('article', { name: `Report: Spam by @${reporter.handle}` });
  await evidence.getByText(text).waitFor();
  await evidence.getByText('Their note: “They send this to everyone”').waitFor();
  await shot('case-evidence');

  await page.getByRole('button', { name: 'Resolve case' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Action').selectOption('restrict_messaging');
  await dialog.getByLabel('Policy').selectOption('spam');
  await dialog.getByLabel('Template').selectOption({ label: 'Spam (built-in)' });
  const facts = dialog.getByLabel('Facts in the statement of reasons');
  await until('the template to fill the facts', async () => (await facts.inputValue()).includes('{{reason}}'));
  const edited = `${await facts.inputValue()} The messages offered a prize that does not exist.`;
  await facts.fill(edited);

  const preview = dialog.getByRole('region', { name: 'Statement preview' });
  const shownFacts = preview.getByTestId('preview-facts');
  await shownFacts.filter({ hasText: 'The messages offered a prize that does not exist.' }).waitFor();
  await preview.locator('[data-ready="true"]').waitFor();
  const factsText = (await shownFacts.textContent())!;
  const groundText = (await preview.getByTestId('preview-ground').textContent())!;
  const noticeText = (await preview.getByTestId('preview-notice').textContent())!;
  expect(factsText).toContain('found spam');
  expect(factsText).not.toContain('{{');
  expect(noticeText).toContain(`Hi ${offender.handle},`);
  await shot('resolve-preview');

  await dialog.getByRole('button', { name: 'Resolve' }).click();
  await page.getByTestId('case-resolution').waitFor();
  await shot('case-resolved');

  const notices = (await request(t.url).get('/v1/notices').set(offender.auth).expect(200)).body.items as any[];
  const notice = notices.find((n) => n.statement?.action === 'restrict_messaging');
  expect(notice.statement.facts).toBe(factsText);
  expect(notice.statement.ground).toBe(groundText);
  const undated = (s: string) => s.replace(/\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT/g, '<date>');
  expect(undated(notice.text)).toBe(undated(noticeText));
});

it('rejecting a held message asks first: cancel leaves it held, confirming rejects it; the card names the recipient', async () => {
  const w = word();
  const sender = await registerUser(t.url);
  const recipient = await registerUser(t.url);
  const conv = await chat(sender, recipient);
  await request(t.url)
    .post('/admin/v1/rules')
    .set(admin.auth)
    .send({ name: 'Hold zq words', kind: 'keyword', patterns: [w], appliesTo: ['direct'], action: 'hold', policy: 'spam' })
    .expect(201);
  const held = await request(t.url)
    .post(`/v1/conversations/${conv}/messages`)
    .set(sender.auth)
    .send({ clientId: randomUUID(), text: `buy ${w} today` })
    .expect(201);
  expect(held.body.state).toBe('held');
  const stateOf = async () =>
    (await request(t.url).get(`/admin/v1/held-messages/${held.body.id}`).set(admin.auth).expect(200)).body.state as string;

  await page.goto(`${t.url}/admin/#/held-messages`);
  const card = page.getByTestId(`held-${held.body.id}`);
  await card.getByText(`To @${recipient.handle}`).waitFor();
  await shot('held-card');

  // The button asks; Cancel leaves the message held.
  await card.getByRole('button', { name: 'Reject (x)' }).click();
  let ask = page.getByRole('dialog', { name: `Reject this message from @${sender.handle}?` });
  await ask.getByText(/gets a strike under the policy “Spam and platform manipulation” \(severity low, for \d+ days\)/).waitFor();
  await shot('reject-asks');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await ask.waitFor({ state: 'hidden' });
  expect(await stateOf()).toBe('held');

  // The x key asks too, and Enter right after it lands on Cancel, not on the strike.
  await card.click();
  await page.keyboard.press('x');
  ask = page.getByRole('dialog', { name: `Reject this message from @${sender.handle}?` });
  await ask.waitFor();
  await page.keyboard.press('Enter');
  await ask.waitFor({ state: 'hidden' });
  expect(await stateOf()).toBe('held');

  await card.getByRole('button', { name: 'Reject (x)' }).click();
  await ask.getByRole('button', { name: 'Reject and give a strike' }).click();
  await card.waitFor({ state: 'detached' });
  await until('the message to be rejected', async () => (await stateOf()) === 'removed');
  const standing = (await request(t.url).get(`/admin/v1/users/${sender.id}/standing`).set(admin.auth).expect(200)).body;
  expect(standing.strikes).toEqual([expect.objectContaining({ policy: 'spam' })]);
});

it('a rule takes exempt users by handle: an unknown handle is refused with a sentence, a known one is saved and shown', async () => {
  const exempt = await registerUser(t.url);
  const name = `Exempt ${word()}`;
  await page.goto(`${t.url}/admin/#/rules/create`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Patterns').fill(word());
  const handles = page.getByLabel('Exempt users (handles)');
  await handles.fill(`@${exempt.handle}\nnobody_has_this_one`);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('No account has the handle @nobody_has_this_one.').waitFor();
  await shot('rule-unknown-handle');

  await handles.fill(`@${exempt.handle}`);
  await page.getByRole('button', { name: 'Save' }).click();
  let rule: any;
  await until('the rule to be saved', async () => {
    const rows = (
      await request(t.url)
        .get(`/admin/v1/rules?filter=${q({ q: name })}`)
        .set(admin.auth)
        .expect(200)
    ).body as any[];
    rule = rows[0];
    return !!rule;
  });
  expect(rule).toMatchObject({ exemptUserIds: [exempt.id], exemptHandles: [exempt.handle] });

  await page.goto(`${t.url}/admin/#/rules/${rule.id}`);
  await until(
    'the edit form to show the handle',
    async () => (await page.getByLabel('Exempt users (handles)').inputValue()) === exempt.handle,
  );
  await shot('rule-edit-handles');
});
