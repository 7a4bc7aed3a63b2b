import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { migrationsList } from './migrations';

export function ormConfig(databaseUrl: string, poolMax = 20) {
  return defineConfig({
    clientUrl: databaseUrl,
    // No entities: SQL is the one way to a table (docs/ARCHITECTURE.md, "Entities"); MikroORM
    // is the connection pool and the migrations.
    entities: [],
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    // A few warm connections: a burst after an idle spell does not pay for new backends.
    pool: { min: Math.min(2, poolMax), max: poolMax },
    // No JIT on the app's sessions: an OLTP workload of short, prepared statements. JIT pays
    // off on long analytic scans; here a plan whose estimate crossed jit_above_cost (unanalyzed
    // tables, a catch-up's first page) spent seconds compiling a statement that runs in
    // milliseconds. Set per session, whatever the server's default.
    driverOptions: { connection: { options: '-c jit=off' } },
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: false,
    debug: false,
  });
}
