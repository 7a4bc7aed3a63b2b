/**
 * The test databases of a jest run are dropped together when it ends, not one by one as each
 * test file closes: DROP DATABASE makes PostgreSQL take a checkpoint (flush every dirty page of
 * the server) and waits for it, which cost each file seconds on a busy server and slowed the
 * file running beside it. globalSetup (test/support/global-setup.ts) names a list in the temp
 * folder; TestDatabase.drop() appends to it; globalTeardown drops what it lists, a few at a time
 * (one checkpoint serves the drops waiting together). A run that was killed leaves its list:
 * the next run drops what it names once the run's process is gone.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const ENV = 'BC_TEST_DROP_LIST';
const LIST = /^bc-test-dbs-(\d+)\.txt$/;

/** In a jest run with the global setup: notes `name` (on the server at `base`) for the end of the run and returns true. */
export function deferDrop(base: string, name: string): boolean {
  const list = process.env[ENV];
  if (!list || !existsSync(list)) return false;
  appendFileSync(list, `${base}\t${name}\n`);
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function dropListed(list: string): Promise<void> {
  const lines = existsSync(list) ? readFileSync(list, 'utf8').split('\n').filter(Boolean) : [];
  const pending = [...new Set(lines)].map((l) => l.split('\t') as [string, string]);
  const failures: string[] = [];
  const worker = async () => {
    for (let next = pending.shift(); next; next = pending.shift()) {
      const [base, name] = next;
      const c = new Client({ connectionString: `${base}/postgres` });
      try {
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } catch (err) {
        failures.push(`${name}: ${(err as Error).message}`);
      } finally {
        await c.end().catch(() => undefined);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  rmSync(list, { force: true });
  if (failures.length) process.stderr.write(`\n[tests] could not drop ${failures.length} test database(s):\n  ${failures.join('\n  ')}\n`);
}

/** globalSetup: starts this run's list (once, whichever project's setup comes first), after clearing those of dead runs. */
export async function startDeferredDrops(): Promise<void> {
  if (process.env[ENV]) return;
  for (const f of readdirSync(tmpdir())) {
    const m = LIST.exec(f);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) await dropListed(join(tmpdir(), f));
  }
  const list = join(tmpdir(), `bc-test-dbs-${process.pid}.txt`);
  writeFileSync(list, '');
  process.env[ENV] = list;
}

/** globalTeardown: drops this run's databases (the first project's teardown does it; the others find the list gone). */
export async function finishDeferredDrops(): Promise<void> {
  const list = process.env[ENV];
  if (list) await dropListed(list);
}
