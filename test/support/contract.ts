import Ajv, { type ValidateFunction } from 'ajv';

/**
 * Contract assertions: a response checked against the OpenAPI document the server itself
 * serves (/docs-json), for one operation and one status.
 *
 *   await expectContract(res, 'GET /v1/conversations/{id}', 200);
 *   await expectError(res, 'POST /v1/conversations', 422, 'group_too_large');
 *
 * Name the route literally, as "METHOD /path" with `{param}` (or `{}`, or `:param`) for the
 * path parameters: test/e2e/contract-coverage.e2e-spec.ts reads the test sources for these
 * calls and fails when a route of the contract has no shape assertion or no error-code
 * assertion. The calls themselves do the checking when they run.
 */

/** What the helpers read of a response: supertest's, or any object with these fields. */
export interface ContractResponse {
  status: number;
  body: unknown;
  text?: string;
  headers?: Record<string, unknown>;
  /** supertest: the request, whose `url` names the server that answered. */
  request?: { url?: string };
}

const documents = new Map<string, Promise<any>>();
/** Per document: one ajv holding its components (each referenced schema compiled once), and the validators made with it. */
const validators = new WeakMap<object, { ajv: Ajv; byKey: Map<string, ValidateFunction> }>();

/** The OpenAPI document of the server at `origin`, fetched once per origin and test file. */
export function openApiDocument(origin: string): Promise<any> {
  let doc = documents.get(origin);
  if (!doc) {
    doc = fetch(`${origin}/docs-json`).then(async (r) => {
      if (r.status !== 200) throw new Error(`GET ${origin}/docs-json answered ${r.status}`);
      return r.json();
    });
    documents.set(origin, doc);
    doc.catch(() => documents.delete(origin));
  }
  return doc;
}

/** "METHOD /a/{x}/b", "METHOD /a/:x/b" and "METHOD /a/{}/b" all read as "METHOD /a/{}/b". */
export const normaliseRoute = (route: string): string => {
  const [method, path] = route.trim().split(/\s+/, 2);
  return `${method.toUpperCase()} ${path
    .replace(/:[A-Za-z]\w*/g, '{}')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/(.)\/$/, '$1')}`;
};

/** The operation of `doc` that `route` names; throws when the document has none. */
export function operationOf(doc: any, route: string): { method: string; path: string; op: any } {
  const wanted = normaliseRoute(route);
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (normaliseRoute(`${method} ${path}`) === wanted) return { method, path, op };
    }
  }
  throw new Error(`${route}: no such operation in the OpenAPI document`);
}

/** The codes an error response documents: the `code` enum of its allOf [ErrorBody, {code enum}]. */
export function documentedCodes(doc: any, route: string, status: number): string[] {
  const schema = operationOf(doc, route).op.responses?.[String(status)]?.content?.['application/json']?.schema;
  return (schema?.allOf ?? []).flatMap((s: any) => s.properties?.code?.enum ?? []);
}

function originOf(res: ContractResponse): string {
  const url = res.request?.url;
  if (!url) throw new Error('expectContract/expectError need a supertest response (its request names the server that answered)');
  return new URL(url).origin;
}

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: refs resolve inside the document, `nullable`
 * becomes a union with null, and an object that lists its properties admits no other
 * field (a field the document does not name is a contract drift, as a missing one is).
 */
function toJsonSchema(s: any, inAllOf = false): any {
  if (Array.isArray(s)) return s.map((x) => toJsonSchema(x, inAllOf));
  if (!s || typeof s !== 'object') return s;
  const out: any = {};
  for (const [k, v] of Object.entries<any>(s)) {
    if (k === '$ref') out.$ref = `openapi${v}`;
    else if (k === 'allOf') out.allOf = v.map((x: any) => toJsonSchema(x, true));
    else if (k === 'properties' || k === 'patternProperties')
      out[k] = Object.fromEntries(Object.entries<any>(v).map(([p, ps]) => [p, toJsonSchema(ps)]));
    else if (k === 'example' || k === 'examples' || k === 'discriminator' || k === 'nullable') continue;
    else out[k] = toJsonSchema(v);
  }
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined && !inAllOf) out.additionalProperties = false;
  if (s.nullable) {
    const { description: _d, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

function validatorFor(doc: any, key: string, schema: any): ValidateFunction {
  let forDoc = validators.get(doc);
  if (!forDoc) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'openapi', components: { schemas: toJsonSchema({ ...doc.components.schemas }) } });
    forDoc = { ajv, byKey: new Map() };
    validators.set(doc, forDoc);
  }
  let validate = forDoc.byKey.get(key);
  if (!validate) {
    validate = forDoc.ajv.compile(toJsonSchema(schema));
    forDoc.byKey.set(key, validate);
  }
  return validate;
}

const show = (res: ContractResponse) => JSON.stringify(res.body ?? res.text ?? null).slice(0, 600);

/** Fails naming the route when the status differs, so a test's failure says which call broke. */
function expectStatus(res: ContractResponse, route: string, status: number) {
  if (res.status !== status) throw new Error(`${route}: expected ${status}, got ${res.status} ${show(res)}`);
}

/**
 * `res` answered `status`, and its body (or its absence, for 204) is exactly what the
 * OpenAPI document says `route` answers with that status.
 */
export async function expectContract(res: ContractResponse, route: string, status: number): Promise<void> {
  expectStatus(res, route, status);
  const doc = await openApiDocument(originOf(res));
  const response = operationOf(doc, route).op.responses?.[String(status)];
  if (!response) throw new Error(`${route}: the OpenAPI document has no ${status} response for it`);
  if (!response.content) {
    const empty =
      res.body === undefined || res.body === null || (typeof res.body === 'object' && Object.keys(res.body as object).length === 0);
    if (!empty || (res.text ?? '') !== '') throw new Error(`${route} ${status}: documented without a body, answered ${show(res)}`);
    return;
  }
  const json = response.content['application/json'];
  if (!json) {
    const type = String(res.headers?.['content-type'] ?? '');
    const documented = Object.keys(response.content);
    if (!documented.some((m) => type.startsWith(m)))
      throw new Error(`${route} ${status}: content-type ${type}, documented ${documented.join(', ')}`);
    return;
  }
  const validate = validatorFor(doc, `${normaliseRoute(route)} ${status}`, json.schema);
  if (!validate(res.body)) {
    const problems = (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${e.params.additionalProperty}` : ''}`,
    );
    throw new Error(`${route} ${status}: the body does not match the OpenAPI schema:\n  ${problems.join('\n  ')}\nbody: ${show(res)}`);
  }
}

/**
 * `res` is the contract's error `{statusCode, code, message, details?}` with this status
 * and code, and the OpenAPI document lists that code for `route` at that status.
 */
export async function expectError(res: ContractResponse, route: string, status: number, code: string): Promise<void> {
  expectStatus(res, route, status);
  const body = res.body as any;
  if (body?.code !== code) throw new Error(`${route} ${status}: expected code ${code}, got ${show(res)}`);
  const doc = await openApiDocument(originOf(res));
  const codes = documentedCodes(doc, route, status);
  if (!codes.includes(code))
    throw new Error(`${route}: ${status} ${code} is not documented (the document lists ${codes.join(', ') || 'nothing'} for ${status})`);
  await expectContract(res, route, status);
}
