import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities';
import { migrationsList } from './migrations';

export function ormConfig(databaseUrl: string, poolMax = 20) {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    // A few warm connections: a burst after an idle spell does not pay for new backends.
    pool: { min: Math.min(2, poolMax), max: poolMax },
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: false,
    debug: false,
  });
}
