import { Client } from 'pg';
import { freshDatabase, type TestDatabase } from '../support/app';
import { PrimaryWithReplica } from '../support/replica';

/**
 * The primitive the event stream's redesign rests on (docs/ARCHITECTURE.md "The event
 * stream", issue #28): rows positioned by (tx xid8, id) and read only below the horizon
 * H = pg_snapshot_xmin(pg_current_snapshot()) form a final prefix. A transaction that got its
 * position first but commits last is never skipped by a reader that moved past a later one,
 * which is exactly what a plain sequence cursor gets wrong. No app: three connections on an
 * empty database and one scratch table.
 */
let db: TestDatabase;
let t1: Client;
let t2: Client;
let reader: Client;

const HORIZON_READ = `
  SELECT id::int, v FROM stream_probe
   WHERE (tx, id) > ($1::xid8, $2::bigint) AND tx < pg_snapshot_xmin(pg_current_snapshot())
   ORDER BY tx, id`;
const horizon = async () => (await reader.query(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS h`)).rows[0].h as string;
/** Reads after a (tx, id) cursor; returns the rows and the cursor the reader may store. */
async function readAfter(cursor: { tx: string; id: number }) {
  const h = await horizon();
  const rows = (await reader.query(HORIZON_READ, [cursor.tx, cursor.id])).rows as Array<{ id: number; v: string }>;
  const last = rows.length
    ? (await reader.query(`SELECT tx::text, id::int FROM stream_probe WHERE id = $1`, [rows[rows.length - 1].id])).rows[0]
    : null;
  // Nothing new: everything below H is consumed, so the cursor moves to (H, 0) (rows of tx H have id > 0).
  return { rows: rows.map((r) => r.v), cursor: last ? { tx: last.tx as string, id: last.id as number } : { tx: h, id: 0 } };
}

/**
 * Reads until `n` rows came back (or 10 s passed). H is cluster-wide: a transaction of any
 * database on this server (other test runs share it) holds it back for as long as it runs, so
 * a row may be served a little later, never skipped.
 */
async function readUntil(cursor: { tx: string; id: number }, n: number) {
  const rows: string[] = [];
  const deadline = Date.now() + 10_000;
  for (;;) {
    const page = await readAfter(cursor);
    rows.push(...page.rows);
    cursor = page.cursor;
    if (rows.length >= n || Date.now() > deadline) return { rows, cursor };
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  db = await freshDatabase('horizon');
  [t1, t2, reader] = [new Client(db.url), new Client(db.url), new Client(db.url)];
  for (const c of [t1, t2, reader]) await c.connect();
  await reader.query(
    `CREATE TABLE stream_probe (tx xid8 NOT NULL DEFAULT pg_current_xact_id(), id bigserial PRIMARY KEY, v text NOT NULL)`,
  );
});

afterAll(async () => {
  for (const c of [t1, t2, reader]) await c?.end();
  await db?.drop();
});

it('a transaction that commits late is never skipped, where a sequence cursor skips it', async () => {
  let cursor = { tx: '0', id: 0 };
  await t1.query('BEGIN');
  await t1.query(`INSERT INTO stream_probe (v) VALUES ('first, commits last')`); // lower tx, id 1
  await t2.query('BEGIN');
  await t2.query(`INSERT INTO stream_probe (v) VALUES ('second, commits first')`); // higher tx, id 2
  await t2.query('COMMIT');

  // A sequence cursor sees id 2 and moves past id 1, which is still in flight: lost for good.
  const bySeq = (await reader.query(`SELECT id::int FROM stream_probe WHERE id > 0 ORDER BY id`)).rows.map((r) => r.id);
  expect(bySeq).toEqual([2]);

  // Below the horizon: t1 still runs, so H is t1's tx and neither row is served yet.
  let page = await readAfter(cursor);
  expect(page.rows).toEqual([]);
  cursor = page.cursor;

  await t1.query('COMMIT');
  page = await readUntil(cursor, 2);
  expect(page.rows).toEqual(['first, commits last', 'second, commits first']);
  cursor = page.cursor;

  // Nothing twice: the same cursor again returns nothing.
  expect((await readAfter(cursor)).rows).toEqual([]);
});

it('a rolled-back transaction leaves nothing and holds the horizon back only while it runs', async () => {
  let { cursor } = await readAfter({ tx: '0', id: 0 });
  await t1.query('BEGIN');
  await t1.query(`INSERT INTO stream_probe (v) VALUES ('rolled back')`);
  await t2.query(`INSERT INTO stream_probe (v) VALUES ('committed meanwhile')`);
  let page = await readAfter(cursor);
  expect(page.rows).toEqual([]);
  cursor = page.cursor;
  await t1.query('ROLLBACK');
  page = await readUntil(cursor, 1);
  expect(page.rows).toEqual(['committed meanwhile']);
});

it('many interleaved writers: every committed row is read exactly once, in any reading rhythm', async () => {
  const writers = await Promise.all(
    Array.from({ length: 4 }, async () => {
      const c = new Client(db.url);
      await c.connect();
      return c;
    }),
  );
  let { cursor } = await readAfter({ tx: '0', id: 0 });
  const seen: string[] = [];
  const expected: string[] = [];
  try {
    for (let round = 0; round < 25; round++) {
      // Each writer opens a transaction and writes; they commit in reverse order of their xids.
      for (const [i, w] of writers.entries()) {
        await w.query('BEGIN');
        await w.query(`INSERT INTO stream_probe (v) VALUES ($1)`, [`r${round}w${i}`]);
        expected.push(`r${round}w${i}`);
        const page = await readAfter(cursor);
        seen.push(...page.rows);
        cursor = page.cursor;
      }
      for (const w of [...writers].reverse()) {
        await w.query('COMMIT');
        const page = await readAfter(cursor);
        seen.push(...page.rows);
        cursor = page.cursor;
      }
    }
    seen.push(...(await readUntil(cursor, expected.length - seen.length)).rows);
  } finally {
    for (const w of writers) await w.end();
  }
  expect([...seen].sort()).toEqual([...expected].sort());
  expect(new Set(seen).size).toBe(seen.length);
});

describe('on a hot standby', () => {
  let cluster: PrimaryWithReplica;
  const clients: Client[] = [];
  const open = async (url: string) => {
    const c = new Client(url);
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    cluster = await new PrimaryWithReplica().start();
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await cluster?.dispose();
  });

  it("the standby's horizon waits for a transaction still in flight on the primary (sync can read the replica)", async () => {
    const [p1, p2] = [await open(`${cluster.primaryBase}/postgres`), await open(`${cluster.primaryBase}/postgres`)];
    await p1.query(`CREATE TABLE stream_probe (tx xid8 NOT NULL DEFAULT pg_current_xact_id(), id bigserial PRIMARY KEY, v text NOT NULL)`);
    const replica = await open(`${cluster.replicaBase}/postgres`);
    const onReplica = async (sql: string) => (await replica.query(sql)).rows;
    const until = async <T>(what: () => Promise<T>, ok: (v: T) => boolean) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const v = await what().catch(() => undefined);
        if (v !== undefined && ok(v)) return v;
        if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const belowHorizon = () =>
      onReplica(`SELECT v FROM stream_probe WHERE tx < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx, id`).then((r) =>
        r.map((x) => x.v),
      );

    await p1.query('BEGIN');
    await p1.query(`INSERT INTO stream_probe (v) VALUES ('first, commits last')`);
    await p2.query(`INSERT INTO stream_probe (v) VALUES ('second, commits first')`);
    // The committed row has reached the standby...
    await until(
      () => onReplica(`SELECT v FROM stream_probe`),
      (r) => r.length === 1,
    );
    // ...but it lies above the standby's horizon while the earlier transaction runs on the primary.
    expect(await belowHorizon()).toEqual([]);
    await p1.query('COMMIT');
    expect(await until(belowHorizon, (r) => r.length === 2)).toEqual(['first, commits last', 'second, commits first']);
  });
});
