import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiParam, ApiProperty, ApiPropertyOptional, ApiQuery, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/**
 * OpenAPI vocabulary shared by every controller, so a route's documentation is a few short
 * decorators next to it: the error shape with its codes per status, id parameters, list
 * parameters. The document is what clients are generated from (test/e2e/openapi.e2e-spec.ts).
 */

/** The one error shape (exception.filter.ts). `code` is the stable machine code. */
export class ErrorBody {
  @ApiProperty({ type: 'integer', example: 404 }) statusCode!: number;
  @ApiProperty({
    type: String,
    example: 'not_found',
    description: 'Stable snake_case machine code; the route lists the ones it may answer',
  })
  code!: string;
  @ApiProperty({ type: String, example: 'Not found.', description: 'Human text; may change' }) message!: string;

  @ApiPropertyOptional({
    description:
      'invalid_request: the failing fields `[{field, problems}]`; account_suspended on sign-in: `{appealToken, action: {id, action, endsAt, policy, policyTitle, severity, strikes, strikesExpireAt}, statement}` (AccountSuspendedDetails); lock_state_changed: `{locked}` (the state found)',
    oneOf: [
      { type: 'array', items: { type: 'object', additionalProperties: true } },
      { type: 'object', additionalProperties: true },
    ],
  })
  details?: unknown;
}

/** Error codes by HTTP status, e.g. `{ 404: ['not_found'], 422: ['group_too_large'] }`. */
export type ErrorCodes = Partial<Record<number, readonly string[]>>;

// The sets most routes share.
export const INPUT: ErrorCodes = { 400: ['invalid_request'] };
export const NOT_FOUND: ErrorCodes = { 404: ['not_found'] };
/** An end-user bearer token: missing/invalid/expired, signed out, or the account suspended. */
export const USER_AUTH: ErrorCodes = { 401: ['unauthorized', 'session_revoked', 'account_suspended'] };
export const STAFF_AUTH: ErrorCodes = { 401: ['unauthorized'] };
/** A staff route above the caller's role (`@MinRole`). */
export const STAFF_ROLE: ErrorCodes = { 403: ['forbidden_role'] };
export const RATE_LIMITED: ErrorCodes = { 429: ['rate_limited'] };

const MEANING: Record<number, string> = {
  400: 'Invalid input',
  401: 'Not signed in',
  403: 'Refused by a rule',
  404: 'Not found, or not visible to the caller',
  405: 'Method not allowed',
  409: 'Conflict with the current state',
  410: 'Gone',
  422: 'Cannot be applied',
  429: 'Rate limited; retry after `Retry-After` seconds',
  503: 'A dependency is unavailable',
};

/**
 * Documents error responses: one per status, each an `ErrorBody` whose `code` is narrowed to
 * the listed codes (and named in the description). Sets are merged, so
 * `@ApiErrors(INPUT, NOT_FOUND, { 422: ['group_too_large'] })` reads as the route's rules.
 */
export function ApiErrors(...sets: ErrorCodes[]): MethodDecorator & ClassDecorator {
  const merged = new Map<number, string[]>();
  for (const set of sets) {
    for (const [status, codes] of Object.entries(set)) {
      const list = merged.get(Number(status)) ?? [];
      for (const c of codes ?? []) if (!list.includes(c)) list.push(c);
      merged.set(Number(status), list);
    }
  }
  const decorators = [...merged.entries()].map(([status, codes]) =>
    ApiResponse({
      status,
      description: `${MEANING[status] ?? 'Error'}: ${codes.map((c) => `\`${c}\``).join(', ')}`,
      schema: {
        allOf: [{ $ref: getSchemaPath(ErrorBody) }, { type: 'object', properties: { code: { type: 'string', enum: codes } } }],
        example: { statusCode: status, code: codes[0], message: MEANING[status] ?? 'Error' },
      },
      ...(status === 429
        ? { headers: { 'Retry-After': { description: 'Whole seconds to wait', schema: { type: 'integer', minimum: 1 } } } }
        : {}),
    }),
  );
  return applyDecorators(ApiExtraModels(ErrorBody), ...decorators);
}

/** A UUID path parameter (an unknown or malformed one is 404 not_found, never 400). */
export const ApiUuidParam = (name = 'id', description?: string) =>
  ApiParam({ name, type: String, format: 'uuid', description, example: '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c9d' });

/** `?limit=&cursor=` of an end-user list (API.md conventions). */
export const ApiPageQuery = (max = 100, def = 50) =>
  applyDecorators(
    ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: max, default: def } }),
    ApiQuery({
      name: 'cursor',
      required: false,
      schema: { type: 'string', maxLength: 500 },
      description: 'The `nextCursor` of the previous page',
    }),
  );

/**
 * react-admin simple REST list: `sort`, `range` and `filter` are JSON in the query string,
 * the body is an array of rows and the total rides in `Content-Range`.
 */
export function ApiStaffList(
  row: abstract new (...args: never[]) => unknown,
  sortable: readonly string[],
  filterNote = 'JSON object of field → value',
) {
  return applyDecorators(
    ApiQuery({
      name: 'sort',
      required: false,
      schema: { type: 'string', example: `["${sortable[0]}","DESC"]` },
      description: `JSON ["field","ASC"|"DESC"]; fields: ${sortable.join(', ')}`,
    }),
    ApiQuery({
      name: 'range',
      required: false,
      schema: { type: 'string', example: '[0,24]' },
      description: 'JSON [start, end], inclusive, 0-based; at most 500 rows',
    }),
    ApiQuery({ name: 'filter', required: false, schema: { type: 'string', example: '{}' }, description: filterNote }),
    ApiResponse({
      status: 200,
      description: 'The page of rows; the total is in Content-Range',
      type: row,
      isArray: true,
      headers: {
        'Content-Range': { description: '`<resource> <start>-<end>/<total>`', schema: { type: 'string', example: 'reports 0-24/319' } },
      },
    }),
    ApiErrors(INPUT),
  );
}
