import type { MikroORM } from '@mikro-orm/postgresql';
import { newId } from '@app/messaging/ids';
import { freshDatabase, type TestDatabase } from '../support/app';

/**
 * The message side's keys carry conversation_id (issue #28, docs/SCALING.md §5), so Citus can
 * distribute `message` and what hangs off it by conversation. The database is filled through
 * the migrations before Migration20261205010000_message_key, then migrated: every row keeps
 * its data and gets its message's conversation_id, the deletes behave as the old foreign keys
 * did, and no key or foreign key on the message side leaves the conversation out.
 */
const PREVIOUS = 'Migration20261126173000_event_partitions';

let db: TestDatabase;
let orm: MikroORM;
const user = newId();
const conv = newId();
const other = newId();
const msg = newId();
const kept = newId();

const q = async (sql: string, params: unknown[] = []) => orm.em.getConnection().execute(sql, params);
const sqlState = async (sql: string, params: unknown[] = []) => {
  try {
    await q(sql, params);
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

beforeAll(async () => {
  const { MikroORM } = await import('@mikro-orm/postgresql');
  const { ormConfig } = await import('@app/messaging/orm.config');
  db = await freshDatabase('msgkey');
  orm = await MikroORM.init(ormConfig(db.url, 2));
  await orm.getMigrator().up({ to: PREVIOUS });
  await q(`INSERT INTO app_user (id, handle, display_name) VALUES (?, 'keyuser', 'Key User')`, [user]);
  await q(`INSERT INTO conversation (id, kind) VALUES (?, 'group'), (?, 'group')`, [conv, other]);
  await q(
    `INSERT INTO message (id, conversation_id, seq, sender_id, client_id, text, links)
     VALUES (?, ?, 1, ?, 'c1', 'see https://a.example/', '[{"url":"https://a.example/","verdict":"pending"}]'),
            (?, ?, 2, ?, 'c2', 'kept', '[]')`,
    [msg, conv, user, kept, conv, user],
  );
  await q(`INSERT INTO link_occurrence (url, host, message_id) VALUES ('https://a.example/', 'a.example', ?)`, [msg]);
  await q(`INSERT INTO link_occurrence (url, host) VALUES ('https://b.example/', 'b.example')`);
  await q(`INSERT INTO message_retained (message_id, text, links, reason) VALUES (?, 'old text', '[]', 'unsent')`, [msg]);
  await q(`INSERT INTO message_version (message_id, version, text, links, written_at) VALUES (?, 1, 'v1', '[]', now())`, [msg]);
  await q(
    `INSERT INTO rule_hit (id, rule_name, user_id, scope, mode, action, applied, pattern, conversation_id, message_id)
     VALUES (?, 'r', ?, 'group', 'live', 'flag', true, 'x', ?, ?)`,
    [newId(), user, conv, msg],
  );
  await orm.getMigrator().up();
});

afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

it("the migration gives every row that references a message its message's conversation_id", async () => {
  expect(await q(`SELECT message_id, conversation_id, url FROM link_occurrence ORDER BY url`)).toEqual([
    { message_id: msg, conversation_id: conv, url: 'https://a.example/' },
    { message_id: null, conversation_id: null, url: 'https://b.example/' },
  ]);
  expect(await q(`SELECT message_id, conversation_id, text FROM message_retained`)).toEqual([
    { message_id: msg, conversation_id: conv, text: 'old text' },
  ]);
  expect(await q(`SELECT message_id, conversation_id, version FROM message_version`)).toEqual([
    { message_id: msg, conversation_id: conv, version: 1 },
  ]);
  expect(await q(`SELECT message_id, conversation_id FROM rule_hit`)).toEqual([{ message_id: msg, conversation_id: conv }]);
});

it('no primary key, unique constraint or foreign key on the message side leaves conversation_id out', async () => {
  const pk = await q(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'message'::regclass AND contype = 'p'`);
  expect(pk).toEqual([{ def: 'PRIMARY KEY (id, conversation_id)' }]);
  const missing = await q(
    `SELECT c.conrelid::regclass::text AS tbl, c.conname
       FROM pg_constraint c
      WHERE ((c.contype IN ('p', 'u') AND c.conrelid IN ('message'::regclass, 'message_retained'::regclass, 'message_version'::regclass))
             OR (c.contype = 'f' AND c.confrelid = 'message'::regclass))
        AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                         WHERE a.attrelid = c.conrelid AND a.attname = 'conversation_id' AND a.attnum = ANY (c.conkey))`,
  );
  expect(missing).toEqual([]);
  const fks = await q(
    `SELECT conrelid::regclass::text AS tbl, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE confrelid = 'message'::regclass ORDER BY 1`,
  );
  expect(fks).toEqual([
    {
      tbl: 'link_occurrence',
      def: expect.stringContaining('(message_id, conversation_id) REFERENCES message(id, conversation_id) ON DELETE CASCADE'),
    },
    {
      tbl: 'message_retained',
      def: expect.stringContaining('(message_id, conversation_id) REFERENCES message(id, conversation_id) ON DELETE CASCADE'),
    },
    {
      tbl: 'message_version',
      def: expect.stringContaining('(message_id, conversation_id) REFERENCES message(id, conversation_id) ON DELETE CASCADE'),
    },
    {
      tbl: 'rule_hit',
      def: expect.stringContaining('(message_id, conversation_id) REFERENCES message(id, conversation_id) ON DELETE SET NULL (message_id)'),
    },
  ]);
});

it('a row naming a message of another conversation, or a message without its conversation, is refused', async () => {
  const bad = `INSERT INTO link_occurrence (url, host, message_id, conversation_id) VALUES ('https://c.example/', 'c.example', ?, ?)`;
  expect(await sqlState(bad, [msg, other])).toBe('23503'); // foreign_key_violation
  expect(await sqlState(bad, [msg, null])).toBe('23514'); // check_violation
  expect(
    await sqlState(
      `INSERT INTO message_version (message_id, conversation_id, version, text, links, written_at) VALUES (?, ?, 2, 'v', '[]', now())`,
      [msg, other],
    ),
  ).toBe('23503');
  expect(await sqlState(`INSERT INTO message_retained (message_id, text, links, reason) VALUES (?, 't', '[]', 'unsent')`, [kept])).toBe(
    '23502', // not_null_violation: the writers name the conversation
  );
});

it('deleting a message cascades as before; a rule hit keeps its conversation and loses only the message', async () => {
  await q(`DELETE FROM message WHERE id = ?`, [msg]);
  expect(await q(`SELECT count(*)::int AS n FROM link_occurrence WHERE message_id IS NOT NULL`)).toEqual([{ n: 0 }]);
  expect(await q(`SELECT count(*)::int AS n FROM message_retained`)).toEqual([{ n: 0 }]);
  expect(await q(`SELECT count(*)::int AS n FROM message_version`)).toEqual([{ n: 0 }]);
  expect(await q(`SELECT message_id, conversation_id FROM rule_hit`)).toEqual([{ message_id: null, conversation_id: conv }]);
});

it('the migration can be rolled back', async () => {
  await orm.getMigrator().down({ to: 'Migration20261205010000_message_key' });
  const pk = await q(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'message'::regclass AND contype = 'p'`);
  expect(pk).toEqual([{ def: 'PRIMARY KEY (id)' }]);
  await orm.getMigrator().up();
});
