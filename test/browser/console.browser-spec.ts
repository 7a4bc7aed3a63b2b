import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { registerUser } from '../support/factories';
import { until } from '../support/wait';
import { validateStatement } from '@app/messaging/safety/dsa/statement-validator';
import { screenshot, screenshotsOnFailure } from '../support/screenshots';

/**
 * The staff console end to end in Debian's Chromium: sign in as the seeded admin, open a
 * report filed through the API, see its frozen evidence, resolve it with a suspension, and
 * find that in the audit log; then work a case from the case queue (issue #15). Screenshots of each step go to test-artifacts/browser/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-artifacts', 'browser');

let t: TestApp;
let browser: Browser;
screenshotsOnFailure(SHOTS, () => browser);
let page: Page;
let step = 0;
const shot = async (name: string) => {
  await screenshot(page, join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`));
};

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'admin', 'index.html'))) {
    throw new Error('The console is not built: run `npm run build:admin` (npm test does it first).');
  }
  mkdirSync(SHOTS, { recursive: true });
  t = await startTestApp({ label: 'browser' });
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

it('a moderator works a report from the queue to a suspension, and the audit log shows it', async () => {
  // A stranger sends an abusive message request; the recipient reports it.
  const offender = await registerUser(t.url);
  const victim = await registerUser(t.url);
  const conv = await request(t.url)
    .post('/v1/conversations')
    .set(offender.auth)
    .send({ participantIds: [victim.id] });
  expect(conv.status).toBe(201);
  const msg = await request(t.url)
    .post(`/v1/conversations/${conv.body.id}/messages`)
    .set(offender.auth)
    .send({ clientId: 'abuse-1', text: 'You are worthless, visit scam-prize.example.com now' });
  expect(msg.status).toBe(201);
  // The offender edits it before it is reported: the evidence keeps the first version too (v1.1 edits).
  await request(t.url)
    .patch(`/v1/conversations/${conv.body.id}/messages/${msg.body.id}`)
    .set(offender.auth)
    .send({ text: 'You are worthless!! visit scam-prize.example.com now' })
    .expect(200);
  // A request's message with a link reaches its recipient once the link is scanned (a batch,
  // moments after the send; HeldLinks): until then the victim cannot see it, so reporting it
  // is 404. Wait until it is in the victim's list, as a person would first see it.
  await until('the request message to reach its recipient', async () => {
    const seen = await request(t.url).get(`/v1/conversations/${conv.body.id}/messages`).set(victim.auth);
    return (seen.body.items ?? []).some((m: { id: string }) => m.id === msg.body.id);
  });
  const report = await request(t.url)
    .post('/v1/reports')
    .set(victim.auth)
    .send({ subjectType: 'message', subjectId: msg.body.id, reason: 'harassment', note: 'threatening me' });
  expect(report.status).toBe(201);

  // Sign in.
  await page.goto(`${t.url}/admin/`);
  await page.locator('input[name="email"]').fill('admin@example.com');
  await page.locator('input[name="password"]').fill('admin-password-1');
  await shot('login');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('dashboard').waitFor();
  await shot('dashboard');

  // The queue lists the report; open it.
  await page.goto(`${t.url}/admin/#/reports`);
  await page.getByTestId('report-list').waitFor();
  await page.getByText('harassment').first().waitFor();
  await shot('reports-queue');
  await page.goto(`${t.url}/admin/#/reports/${report.body.id}/show`);

  // The frozen evidence shows the reported message, highlighted.
  const evidence = page.getByTestId('evidence');
  await evidence.waitFor();
  const reported = page.getByTestId('reported-message');
  await expect(reported.textContent()).resolves.toContain('You are worthless!!');
  // The edit history: the earlier version, under the current text.
  await expect(reported.getByTestId('message-versions').textContent()).resolves.toContain(
    'You are worthless, visit scam-prize.example.com now',
  );
  await expect(reported.getByTestId('message-version').count()).resolves.toBe(1);
  await expect(reported.getByTestId('edited-chip').count()).resolves.toBe(1);
  await shot('report-evidence');

  // Unsend after the report: the evidence is frozen and does not change.
  await request(t.url).delete(`/v1/conversations/${conv.body.id}/messages/${msg.body.id}`).set(offender.auth).expect(200);
  await page.reload();
  await expect(page.getByTestId('reported-message').textContent()).resolves.toContain('You are worthless');

  // Resolve with a 24-hour suspension.
  await page.getByTestId('resolve-button').click();
  await page.getByTestId('resolve-dialog').waitFor();
  await page.getByTestId('resolve-action').selectOption('suspend');
  await page.getByTestId('resolve-duration').locator('input').or(page.locator('input[data-testid="resolve-duration"]')).first().fill('24');
  await page
    .getByTestId('resolve-note')
    .locator('textarea, input')
    .or(page.locator('[data-testid="resolve-note"]:is(textarea, input)'))
    .first()
    .fill('Harassment in a message request');
  await shot('resolve-dialog');
  await page.getByTestId('resolve-submit').click();
  // The queue moves on after a resolution; this was its only open report, so back to the list.
  await page.waitForURL(/#\/reports(\?.*)?$/);
  await page.getByTestId('report-list').waitFor();
  await shot('resolved');
  const resolved = await request(t.url)
    .get(`/admin/v1/reports/${report.body.id}`)
    .set((await staffAuth()).auth);
  expect(resolved.body.status).toBe('resolved');

  // The suspension is real and immediate.
  const me = await request(t.url).get('/v1/me').set(offender.auth);
  expect(me.status).toBe(401);
  expect(me.body.code).toBe('account_suspended');

  // The audit log page lists the resolution.
  await page.goto(`${t.url}/admin/#/audit-log`);
  await page
    .getByText(/resolve/i)
    .first()
    .waitFor();
  await shot('audit-log');
  const audit = await request(t.url)
    .get('/admin/v1/audit-log')
    .set((await staffAuth()).auth)
    .query({ filter: JSON.stringify({ subjectId: report.body.id }) });
  expect(audit.status).toBe(200);
  expect(audit.body.some((row: any) => /resolve/.test(row.action))).toBe(true);
});

it('a moderator works a case from the case queue: the reports inside it, a message to the subject and their answer, one resolution for all; transparency exports CSV', async () => {
  const subject = await registerUser(t.url, `casey_${Date.now().toString(36)}`.slice(0, 30));
  const [r1, r2] = [await registerUser(t.url), await registerUser(t.url)];
  const f1 = await request(t.url)
    .post('/v1/reports')
    .set(r1.auth)
    .send({ subjectType: 'user', subjectId: subject.id, reason: 'harassment', note: 'first reporter' });
  const f2 = await request(t.url)
    .post('/v1/reports')
    .set(r2.auth)
    .send({ subjectType: 'user', subjectId: subject.id, reason: 'hate', note: 'second reporter' });
  expect([f1.status, f2.status]).toEqual([201, 201]);
  const staff = await staffAuth();
  const [c] = (
    await request(t.url)
      .get('/admin/v1/cases')
      .set(staff.auth)
      .query({ filter: JSON.stringify({ subjectUserId: subject.id }) })
  ).body;
  expect(c.reportCount).toBe(2);

  // Signed in already when the first test ran; sign in when this one runs alone.
  await page.goto(`${t.url}/admin/`);
  await Promise.race([page.getByTestId('dashboard').waitFor(), page.locator('input[name="email"]').waitFor()]);
  if (await page.locator('input[name="email"]').count()) {
    await page.locator('input[name="email"]').fill('admin@example.com');
    await page.locator('input[name="password"]').fill('admin-password-1');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('dashboard').waitFor();
  }
  // The case queue: one row for the person, with both reports counted.
  await page.goto(`${t.url}/admin/#/cases`);
  await page.getByTestId('case-list').waitFor();
  const row = page.locator('[data-testid="case-list"] tbody tr').filter({ hasText: `@${subject.handle}` });
  await row.first().waitFor();
  expect(await row.count()).toBe(1);
  await shot('case-queue');
  await row.first().click();
  await page.getByTestId('case-summary').waitFor();
  // The list row shows first; the case's own record (with its reports) follows.
  await page.getByTestId('case-report-row').nth(1).waitFor();
  await expect(page.getByTestId('case-report-row').count()).resolves.toBe(2);
  await shot('case-show');

  // Write to the subject from the team; they answer through the API; the answer shows on the case.
  await page.getByTestId('case-messages').getByRole('combobox').click();
  await page.getByRole('option', { name: /subject/ }).click();
  await page.locator('[data-testid="case-message-text"]').fill('Please tell us what happened.');
  await page.getByTestId('case-message-send').click();
  await page.getByTestId('case-message').first().waitFor();
  const notice = await until('case message notice', async () =>
    (await request(t.url).get('/v1/notices').set(subject.auth)).body.items.find((n: any) => n.kind === 'case_message'),
  );
  expect(notice.data.from).toBe('Backchannel Trust & Safety');
  expect(
    (await request(t.url).post(`/v1/notices/${notice.id}/reply`).set(subject.auth).send({ text: 'It was a misunderstanding.' })).status,
  ).toBe(200);
  await page.reload();
  await page.getByTestId('case-message-reply').filter({ hasText: 'It was a misunderstanding.' }).waitFor();
  await shot('case-message-answered');

  // Resolve the case with a warning under a policy and severity: the form starts from the first
  // report's reason's policy, shows the subject's standing (and what the ladder suggests for the
  // chosen severity) and the statement pre-filled from the policy.
  await page.getByTestId('case-resolve').click();
  const dialog = page.getByTestId('resolve-dialog');
  await dialog.waitFor();
  const standingInDialog = dialog.getByRole('region', { name: 'Standing' });
  await standingInDialog.getByText('0 active strikes').waitFor();
  await expect(dialog.getByLabel('Policy').inputValue()).resolves.toBe('harassment');
  await dialog.getByLabel('Policy').selectOption('hate');
  await expect(dialog.getByLabel('Severity').inputValue()).resolves.toBe('low');
  await dialog.getByLabel('Severity').selectOption('medium');
  await standingInDialog.getByText(/Suggested next: Suspend/).waitFor();
  await dialog
    .getByRole('note', { name: 'Statement of reasons' })
    .getByText(/Community Guidelines: Hateful conduct\./)
    .waitFor();
  await shot('resolve-policy');
  await page.getByTestId('resolve-action').selectOption('warn');
  await page
    .getByTestId('resolve-note')
    .locator('textarea, input')
    .or(page.locator('[data-testid="resolve-note"]:is(textarea, input)'))
    .first()
    .fill('Warned after two reports');
  await page.getByTestId('resolve-submit').click();
  await page.getByTestId('case-resolution').waitFor();
  await shot('case-resolved');
  const reports = await request(t.url)
    .get('/admin/v1/reports')
    .set(staff.auth)
    .query({ filter: JSON.stringify({ caseId: c.id }) });
  expect(reports.body.map((r: any) => r.status)).toEqual(['resolved', 'resolved']);
  const warning = (await request(t.url).get('/v1/notices').set(subject.auth)).body.items.find((n: any) => n.kind === 'warning');
  expect(warning.statement).toMatchObject({ action: 'warn', automated: false, appeal: { possible: true } });
  expect(warning.statement.ground).toMatch(/^Community Guidelines: Hateful conduct\./);
  const standing = await request(t.url).get(`/admin/v1/users/${subject.id}/standing`).set(staff.auth);
  expect(standing.body).toMatchObject({ activeStrikes: 2, strikes: [{ policy: 'hate', severity: 'medium', count: 2 }] });

  // The standing changed: the user page shows the new strikes and what the ladder suggests now.
  await page.goto(`${t.url}/admin/#/users/${subject.id}/show`);
  const standingPanel = page.getByTestId('user-standing').getByRole('region', { name: 'Standing' });
  await standingPanel.getByText('2 active strikes').waitFor();
  await standingPanel.getByRole('listitem').filter({ hasText: 'hate · medium ×2' }).waitFor();
  await standingPanel.getByText(/Suggested next: Suspend for 72 h/).waitFor();
  await shot('user-standing');

  // The policies page lists the default set.
  await page.goto(`${t.url}/admin/#/policies`);
  await page.getByTestId('policy-list').getByRole('cell', { name: 'unfounded_reports', exact: true }).waitFor();
  await shot('policies');

  // Transparency: the admin page shows the period's counts and exports them as CSV.
  await page.goto(`${t.url}/admin/#/transparency`);
  await page.getByTestId('transparency-table').waitFor();
  await shot('transparency');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('transparency-csv').click()]);
  const csv = await new Promise<string>((resolve, reject) => {
    download.createReadStream().then((stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      stream.on('error', reject);
    }, reject);
  });
  expect(csv.split('\r\n')[0]).toBe('from,to,section,key,value');
  expect(csv).toMatch(/,actions\.byAction,warn,\d+/);

  // The same page lists the period's statements of reasons in the EU database's format, and downloads them as JSON.
  const warnAction = (
    await request(t.url)
      .get('/admin/v1/reports')
      .set(staff.auth)
      .query({ filter: JSON.stringify({ caseId: c.id }) })
  ).body[0].resolution.actionId;
  const statementRow = page.getByTestId(`statement-backchannel-action-${warnAction}`);
  await statementRow.waitFor();
  await expect(statementRow.textContent()).resolves.toContain('DECISION_VISIBILITY_OTHER');
  await expect(statementRow.textContent()).resolves.toContain('SOURCE_ARTICLE_16');
  await shot('transparency-statements');
  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('statements-json').click()]);
  const json = await new Promise<string>((resolve, reject) => {
    jsonDownload.createReadStream().then((stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      stream.on('error', reject);
    }, reject);
  });
  const { statements } = JSON.parse(json);
  expect(statements.map((x: any) => x.puid)).toContain(`backchannel-action-${warnAction}`);
  for (const x of statements) expect(validateStatement(x).errors).toEqual({});
  expect(json).not.toContain(subject.handle);

  // Report rows show each reporter's precision: both reports of the case were upheld.
  await page.goto(
    `${t.url}/admin/#/reports?filter=${encodeURIComponent(JSON.stringify({ status: 'resolved', subjectUserId: subject.id }))}`,
  );
  await page.getByTestId('report-list').waitFor();
  const chips = await until('reporter precision chips', async () => {
    const texts = await page.getByTestId('reporter-precision').allTextContents();
    return texts.length === 2 ? texts : undefined;
  });
  expect(chips).toEqual(['100% upheld (1/1)', '100% upheld (1/1)']);
  await shot('reports-reporter-precision');
});

async function staffAuth() {
  const res = await request(t.url).post('/admin/v1/auth/login').send({ email: 'admin@example.com', password: 'admin-password-1' });
  return { auth: { Authorization: `Bearer ${res.body.accessToken}` } };
}

it('a moderator creates a rule, tests a text against it before saving, and approves the message it held', async () => {
  // Signed in by the test above (same page); sign in again if this runs alone.
  await page.goto(`${t.url}/admin/#/rules/create`);
  const email = page.locator('input[name="email"]');
  await page.locator('input[name="name"], input[name="email"]').first().waitFor();
  if (await email.isVisible()) {
    await email.fill('admin@example.com');
    await page.locator('input[name="password"]').fill('admin-password-1');
    await page.getByTestId('login-submit').click();
    await email.waitFor({ state: 'detached' });
    await page.goto(`${t.url}/admin/#/rules/create`);
  }
  await page.locator('input[name="name"]').fill('Prize scams');
  await page.getByRole('combobox', { name: 'Mode' }).click();
  await page.getByRole('option', { name: 'Live' }).click();
  await page.locator('textarea[name="patterns"]').fill('free prize*\nclaimnow');
  await page.getByTestId('rule-test-text').fill('You won a FREE PR1ZES bundle');
  await page.getByTestId('rule-test-run').click();
  await expect(page.getByTestId('rule-test-result').textContent()).resolves.toContain('This rule: matches (free prize*)');
  await shot('rule-test');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/#\/rules(\?.*)?$/);
  await page.getByText('Prize scams').first().waitFor();
  await shot('rules-list');

  // The saved rule (hold, requests) holds a stranger's request carrying the words.
  const stranger = await registerUser(t.url);
  const target = await registerUser(t.url);
  const conv = await request(t.url)
    .post('/v1/conversations')
    .set(stranger.auth)
    .send({ participantIds: [target.id] })
    .expect(201);
  const held = await request(t.url)
    .post(`/v1/conversations/${conv.body.id}/messages`)
    .set(stranger.auth)
    .send({ clientId: 'held-1', text: 'Claim your free prizes today' });
  expect(held.status).toBe(201);
  expect(held.body.state).toBe('held');

  // The queue shows it; `a` approves the selected (first) message.
  await page.goto(`${t.url}/admin/#/held-messages`);
  await page.getByTestId(`held-${held.body.id}`).waitFor();
  await shot('held-queue');
  await page.getByTestId(`held-${held.body.id}`).locator('p').click(); // selects it (it is also the first)
  await page.keyboard.press('a');
  await page.getByTestId('held-empty').waitFor();
  const seen = await request(t.url).get(`/v1/conversations/${conv.body.id}/messages`).set(target.auth).expect(200);
  expect(seen.body.items.map((m: any) => m.id)).toEqual([held.body.id]);
});

it("a moderator opens a user's DM statistics, switches their DM access off and locks a conversation they started", async () => {
  const sender = await registerUser(t.url);
  const [r1, r2] = [await registerUser(t.url), await registerUser(t.url)];
  const convs: string[] = [];
  for (const r of [r1, r2]) {
    const conv = await request(t.url)
      .post('/v1/conversations')
      .set(sender.auth)
      .send({ participantIds: [r.id] })
      .expect(201);
    await request(t.url)
      .post(`/v1/conversations/${conv.body.id}/messages`)
      .set(sender.auth)
      .send({ clientId: `dm-${r.id}`, text: 'hi there' })
      .expect(201);
    convs.push(conv.body.id);
  }

  // Signed in by the tests above (same page); sign in again if this runs alone.
  await page.goto(`${t.url}/admin/#/users/${sender.id}/show`);
  const email = page.locator('input[name="email"]');
  await page.locator('[data-testid="user-dm"], input[name="email"]').first().waitFor();
  if (await email.isVisible()) {
    await email.fill('admin@example.com');
    await page.locator('input[name="password"]').fill('admin-password-1');
    await page.getByTestId('login-submit').click();
    await email.waitFor({ state: 'detached' });
    await page.goto(`${t.url}/admin/#/users/${sender.id}/show`);
  }

  // DM statistics: the totals and the 30-day chart.
  const dm = page.getByTestId('user-dm');
  const totals = dm.getByRole('table', { name: 'DM totals, last 30 days' });
  await expect(totals.getByRole('row', { name: /Requests sent/ }).textContent()).resolves.toMatch(/Requests sent\s*2/);
  await expect(totals.getByRole('row', { name: /Messages sent/ }).textContent()).resolves.toMatch(/Messages sent\s*2/);
  await dm
    .getByRole('img', { name: 'Messages and requests sent per day, last 30 days' })
    .locator('.recharts-bar-rectangle')
    .first()
    .waitFor();
  await shot('user-dm-stats');

  // DM access off: the switch, then the API refuses a new conversation.
  const access = dm
    .getByRole('switch', { name: 'Can start conversations (DM access)' })
    .or(dm.getByRole('checkbox', { name: 'Can start conversations (DM access)' }));
  await dm.getByLabel('Note for the audit log').fill('Request spam');
  await access.first().click();
  await dm.getByText(/Off since/).waitFor();
  const third = await registerUser(t.url);
  const refused = await request(t.url)
    .post('/v1/conversations')
    .set(sender.auth)
    .send({ participantIds: [third.id] });
  expect(refused.status).toBe(403);
  expect(refused.body.code).toBe('messaging_restricted');

  // Lock the first conversation they started: its row says Locked, and nobody can send there.
  const requests = dm.getByRole('table', { name: 'Requests they started' });
  const row = requests.getByRole('row', { name: new RegExp(`@${r1.handle}`) });
  await row.getByRole('button', { name: 'Lock' }).click();
  await row.getByRole('button', { name: 'Unlock' }).waitFor();
  await expect(row.textContent()).resolves.toContain('Locked');
  await shot('user-dm-locked');
  const blocked = await request(t.url)
    .post(`/v1/conversations/${convs[0]}/messages`)
    .set(r1.auth)
    .send({ clientId: 'after-lock', text: 'hello?' });
  expect(blocked.status).toBe(403);
  expect(blocked.body.code).toBe('conversation_locked');
  const audit = await request(t.url)
    .get('/admin/v1/audit-log')
    .set((await staffAuth()).auth)
    .query({ filter: JSON.stringify({ subjectId: convs[0] }) });
  expect(audit.body.map((e: any) => e.action)).toEqual(['conversation.lock']);
});
