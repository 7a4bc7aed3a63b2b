import { randomBytes, randomUUID } from 'node:crypto';
import { Db } from '@app/messaging/db/db.service';
import { ErasedEvidence } from '@app/messaging/safety/reports/erased-evidence.service';
import { RetainedMessages } from '@app/messaging/messages/retained-messages';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, type TestUser } from '../support/factories';
import { until } from '../support/wait';

/**
 * Erasure that a table cannot miss (issue #31 item 4). A person who touched every table
 * (messages, edits, reactions, reports filed and received, appeals, mod mail, notices, rule
 * hits, links, rooms, questions, an export) deletes the account; past the retention, every
 * text, varchar, json(b) and text[] column of every table, listed from information_schema (so
 * a table added later is searched too), is searched for their handle, display name and every
 * text they wrote. They may appear only in frozen evidence that may still keep them (a report
 * still open) and in the audit log (its entries are hash-chained: docs/ARCHITECTURE.md,
 * "Personal data").
 */
let t: TestApp;
let db: Db;
let admin: { auth: Record<string, string> };
beforeAll(async () => {
  t = await startTestApp({ label: 'erasure', env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600' } });
  db = t.app.get(Db);
  admin = await loginStaff(t.url);
});
afterAll(async () => {
  await t?.close();
});

const PASSWORD = 'correct horse battery';
const tag = (what: string) => `${what}-${randomBytes(6).toString('hex')}`;
const ok = (status: number, res: { status: number; body: any }): { status: number; body: any } => {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
};

interface Hit {
  table: string;
  column: string;
  id: string | null;
  needle: string;
}

/** Every text-like column of every table in the schema, searched for each needle. */
async function search(needles: string[]): Promise<Hit[]> {
  const columns = await db.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
      WHERE c.table_schema = current_schema()
        AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar')))`,
  );
  expect(columns.length).toBeGreaterThan(50);
  const hits: Hit[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    for (const needle of needles) {
      const rows = await db.query<{ id: string | null }>(
        `SELECT to_jsonb(x) ->> 'id' AS id FROM "${table}" x WHERE position(lower($1) IN lower(x."${column}"::text)) > 0 LIMIT 5`,
        [needle],
      );
      for (const r of rows) hits.push({ table, column, id: r.id, needle });
    }
  }
  return hits;
}

it('after deleting an account that touched every table, its name and words remain only in evidence still kept and in the audit log', async () => {
  const displayName = `Xavier ${randomBytes(4).toString('hex')}`;
  const x = await registerUser(t.url);
  const [y, z] = await Promise.all([registerUser(t.url), registerUser(t.url)]);
  // The display name: registerUser names people after their handle, so set ours by hand.
  await db.query(`UPDATE app_user SET display_name = $2 WHERE id = $1`, [x.id, displayName]);
  const words: string[] = [];
  const say = async (u: TestUser, conversationId: string, text: string) => {
    const res = ok(
      201,
      await t.http().post(`/v1/conversations/${conversationId}/messages`).set(u.auth).send({ clientId: randomUUID(), text }),
    );
    return res.body as { id: string; seq: number };
  };

  // A staff rule that flags a word X will use (a rule hit, and a system report).
  const flagWord = tag('flagword');
  ok(
    201,
    await t
      .http()
      .post('/admin/v1/rules')
      .set(admin.auth)
      .send({
        name: tag('rule'),
        kind: 'keyword',
        patterns: [flagWord],
        appliesTo: ['direct', 'group', 'requests', 'room', 'questions'],
        action: 'flag',
        reason: 'Watch',
      }),
  );

  // Messages in a conversation of two (with a link), an edit, a reaction; a group.
  const direct = ok(
    201,
    await t
      .http()
      .post('/v1/conversations')
      .set(x.auth)
      .send({ participantIds: [y.id] }),
  ).body.id as string;
  ok(200, await t.http().post(`/v1/conversations/${direct}/accept`).set(y.auth));
  const first = tag('first');
  words.push(first);
  const m1 = await say(x, direct, `${first} see https://example.org/${tag('path')} ${flagWord}`);
  // (The flagged word is the staff rule's pattern, kept by the rule and its hits: not X's to erase.)
  const original = tag('original');
  const editedTo = tag('edited');
  words.push(original, editedTo);
  const m2 = await say(x, direct, original);
  ok(200, await t.http().patch(`/v1/conversations/${direct}/messages/${m2.id}`).set(x.auth).send({ text: editedTo }));
  const fromY = await say(y, direct, 'a message from the other person');
  ok(
    204,
    await t
      .http()
      .put(`/v1/conversations/${direct}/messages/${fromY.id}/reactions/${encodeURIComponent('🎉')}`)
      .set(x.auth),
  );
  const group = ok(
    201,
    await t
      .http()
      .post('/v1/conversations')
      .set(x.auth)
      .send({ participantIds: [y.id, z.id], title: 'Planning' }),
  ).body.id as string;
  const inGroup = tag('group');
  words.push(inGroup);
  await say(x, group, inGroup);

  // A room X hosts with a question X asks.
  const room = ok(201, await t.http().post('/v1/rooms').set(x.auth).send({ title: 'Evening talk' })).body.id as string;
  const question = tag('question');
  words.push(question);
  ok(201, await t.http().post(`/v1/rooms/${room}/questions`).set(x.auth).send({ text: question }));

  // Reports received (Y about X: left open) and filed (X about Y, with a note; resolved).
  const received = ok(
    201,
    await t.http().post('/v1/reports').set(y.auth).send({ subjectType: 'message', subjectId: m1.id, reason: 'harassment' }),
  );
  const note = tag('note');
  words.push(note);
  const filed = ok(
    201,
    await t.http().post('/v1/reports').set(x.auth).send({ subjectType: 'message', subjectId: fromY.id, reason: 'spam', note }),
  );
  ok(200, await t.http().post(`/admin/v1/reports/${filed.body.id}/resolve`).set(admin.auth).send({ action: 'dismiss' }));
  // A warning to X from another report (an action, a notice), and X's appeal of it.
  await say(x, direct, tag('third'));
  ok(201, await t.http().post('/v1/reports').set(z.auth).send({ subjectType: 'user', subjectId: x.id, reason: 'harassment' }));
  const warned = ok(
    200,
    await t.http().post(`/admin/v1/users/${x.id}/actions`).set(admin.auth).send({ action: 'warn', note: 'staff note' }),
  );
  const appeal = tag('appeal');
  words.push(appeal);
  ok(201, await t.http().post('/v1/appeals').set(x.auth).send({ actionId: warned.body.action.id, text: appeal }));
  // Mod mail to X on the open case, and X's reply.
  const [{ case_id: caseId }] = await db.query(`SELECT case_id FROM report WHERE id = $1`, [received.body.id]);
  ok(
    201,
    await t.http().post(`/admin/v1/cases/${caseId}/messages`).set(admin.auth).send({ recipientId: x.id, text: 'Tell us what happened.' }),
  );
  const mail = (await t.http().get('/v1/notices').set(x.auth)).body.items.find((n: any) => n.kind === 'case_message');
  const reply = tag('reply');
  words.push(reply);
  ok(200, await t.http().post(`/v1/notices/${mail.id}/reply`).set(x.auth).send({ text: reply }));
  // An export of X's data.
  ok(202, await t.http().post('/v1/me/export').set(x.auth));

  // Everything X touched is there before the deletion (so the search below can find it).
  const before = await search([x.handle, ...words]);
  for (const table of ['app_user', 'message', 'message_version', 'question', 'report', 'appeal', 'case_message', 'event']) {
    expect([table, before.some((h) => h.table === table)]).toEqual([table, true]);
  }
  const [touched] = await db.query(
    `SELECT (SELECT count(*)::int FROM rule_hit WHERE user_id = $1) AS hits, (SELECT count(*)::int FROM notice WHERE user_id = $1) AS notices,
            (SELECT count(*)::int FROM message WHERE sender_id = $1 AND reactions::text <> '[]') + (SELECT count(*)::int FROM message WHERE reactions::text LIKE '%' || $1 || '%') AS reactions`,
    [x.id],
  );
  expect(touched.hits).toBeGreaterThan(0);
  expect(touched.notices).toBeGreaterThan(0);
  expect(touched.reactions).toBeGreaterThan(0);

  ok(202, await t.http().delete('/v1/me').set(x.auth).send({ password: PASSWORD }));
  // The erasure job has run to its end (its last step deletes the account's own events).
  await until('the erasure job done', async () => {
    const [r] = await db.query(
      `SELECT (SELECT count(*)::int FROM message WHERE sender_id = $1 AND state <> 'removed') AS readable,
              (SELECT count(*)::int FROM event WHERE user_id = $1) AS events,
              (SELECT count(*)::int FROM outbox) AS outbox`,
      [x.id],
    );
    return r.readable === 0 && r.events === 0 && r.outbox === 0;
  });
  // Past the retention: the deletion and the closed report are 400 days old; the sweep runs.
  await db.query(`UPDATE app_user SET deleted_at = now() - interval '400 days' WHERE id = $1`, [x.id]);
  await db.query(
    `WITH r AS (UPDATE report SET resolved_at = now() - interval '400 days' WHERE id = $1 RETURNING case_id)
     UPDATE moderation_case SET resolved_at = now() - interval '400 days' WHERE id IN (SELECT case_id FROM r)`,
    [filed.body.id],
  );
  await t.app.get(RetainedMessages).purgeExpired();
  await t.app.get(ErasedEvidence).purgeExpired();

  const stillKept = new Set(
    (
      await db.query<{ id: string }>(
        `SELECT r.id FROM report r LEFT JOIN moderation_case mc ON mc.id = r.case_id WHERE r.status <> 'resolved' OR mc.status = 'open'`,
      )
    ).map((r) => r.id),
  );
  const hits = await search([x.handle, displayName, ...words]);
  const unexpected = hits.filter(
    (h) => h.table !== 'audit_log' && !(h.table === 'report' && h.column === 'evidence' && h.id && stillKept.has(h.id)),
  );
  expect(unexpected).toEqual([]);
  // What is allowed is really there: the open report's evidence keeps X's words for staff.
  expect(hits.some((h) => h.table === 'report' && h.id === received.body.id && h.needle === first)).toBe(true);
  // X's export is gone.
  expect((await db.query(`SELECT count(*)::int AS n FROM data_export WHERE user_id = $1`, [x.id]))[0].n).toBe(0);
});
