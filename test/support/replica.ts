/**
 * A private PostgreSQL primary with a streaming replica (pg_basebackup -R), both on 127.0.0.1,
 * built from the installed server binaries; run as the `postgres` OS user when the tests run
 * as root. The replica listens on 5433 when that port is free, else on any free port.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PrivatePostgres, freePort } from '../faults/support/cluster';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = net.createServer();
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
  });
}

export class PrimaryWithReplica {
  readonly primary = new PrivatePostgres();
  replicaPort = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), 'bc-pg-replica-'));
  private readonly data = join(this.dir, 'data');
  private readonly bin = PrivatePostgres.binDir();

  get primaryBase() {
    return this.primary.base;
  }

  get replicaBase() {
    return `postgres://postgres@127.0.0.1:${this.replicaPort}`;
  }

  private run(tool: string, args: string[]): void {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(this.bin, tool), ...args]] : [join(this.bin, tool), args];
    const res = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
    if (res.status !== 0)
      throw new Error(`${tool} ${args.join(' ')} failed (${res.status}): ${res.stdout}${res.stderr}\n${this.logTail()}`);
  }

  logTail(): string {
    try {
      return readFileSync(join(this.dir, 'replica.log'), 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  }

  async start(): Promise<this> {
    await this.primary.init();
    if (asRoot) spawnSync('chown', ['-R', 'postgres:', this.dir]);
    this.replicaPort = (await portFree(5433)) ? 5433 : await freePort();
    this.run('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.primary.port),
      '-U',
      'postgres',
      '-D',
      this.data,
      '-R',
      '-X',
      'stream',
      '--no-sync',
    ]);
    const opts = `-p ${this.replicaPort} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=32MB -c max_connections=100 -c hot_standby=on`;
    this.run('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'replica.log'), '-o', opts, '-w', '-t', '60', 'start']);
    return this;
  }

  /** Runs one statement on the replica (e.g. pg_wal_replay_pause()). */
  async onReplica<T = any>(sql: string, params: unknown[] = [], db = 'postgres'): Promise<T[]> {
    const c = new Client({ connectionString: `${this.replicaBase}/${db}` });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows;
    } finally {
      await c.end();
    }
  }

  async stopReplica(): Promise<void> {
    if (existsSync(join(this.data, 'postmaster.pid'))) this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  async dispose(): Promise<void> {
    try {
      await this.stopReplica();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
      await this.primary.dispose();
    }
  }
}
