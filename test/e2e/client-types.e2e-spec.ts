import { readFileSync } from 'node:fs';
import { GENERATED_TYPES, typesFromDocument } from '../../libs/client/tools/generate-types';
import { startTestApp, type TestApp } from '../support/app';

/**
 * The SDK's REST types (libs/client/src/generated/api.ts) are what openapi-typescript makes
 * of the OpenAPI document the server serves now. A route or field added without
 * `npm run client:types` fails here.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'client_types' });
});
afterAll(async () => {
  await t?.close();
});

it("the generated SDK types match the running server's OpenAPI document (else: npm run client:types)", async () => {
  const doc = (await t.http().get('/docs-json').expect(200)).body;
  const fresh = typesFromDocument(doc);
  const committed = readFileSync(GENERATED_TYPES, 'utf8');
  if (fresh !== committed) {
    const a = fresh.split('\n');
    const b = committed.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    throw new Error(
      `libs/client/src/generated/api.ts is stale (first difference at line ${line + 1}: "${b[line] ?? ''}" should be "${a[line] ?? ''}"); run npm run client:types`,
    );
  }
});
