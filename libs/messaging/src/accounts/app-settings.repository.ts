import type { Queryable } from '../db/db.service';
import type { AppSettingRow } from './rows';

/**
 * app_setting's SQL: settings every API process must share. Start-up (apps/api
 * bootstrap/database.ts) calls these under the migration lock.
 */

/** Stores a freshly generated JWT secret unless one is stored already (the first process to start wins). */
export async function offerJwtSecret(q: Queryable, secret: string): Promise<void> {
  await q.query(`INSERT INTO app_setting (key, value) VALUES ('jwt_secret', $1) ON CONFLICT (key) DO NOTHING`, [secret]);
}

/** The stored JWT secret, if any. */
export async function storedJwtSecret(q: Queryable): Promise<string | undefined> {
  const [row] = await q.query<Pick<AppSettingRow, 'value'>>(`SELECT value FROM app_setting WHERE key = 'jwt_secret'`);
  return row?.value;
}
