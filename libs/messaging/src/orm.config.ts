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
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: false,
    debug: false,
  });
}
