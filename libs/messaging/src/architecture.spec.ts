import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

/**
 * STYLE.md §9 and §12: a service reads as rules, a repository as data. SQL lives in the
 * domain's `*.repository.ts` (or `*.sql.ts`), never in a `*.service.ts`.
 *
 * STILL_TO_CONVERT lists the services that hold SQL today (issue #27). It can only shrink:
 * a service not on it that gains SQL fails, and so does one on it that no longer has any
 * (take it off the list in the same commit that moves its SQL out).
 */
const STILL_TO_CONVERT = [
  'conversations/conversations.service.ts',
  'links/link-scanner.service.ts',
  'rules/held-messages.service.ts',
  'rules/rules.service.ts',
  'safety/audit/audit-log.service.ts',
  'safety/audit/moderation-stats.service.ts',
  'safety/audit/transparency.service.ts',
  'safety/reports/cases.service.ts',
  'safety/reports/link-review.service.ts',
  'safety/reports/reporters.service.ts',
  'safety/reports/reports.service.ts',
  'safety/reports/spam-queue.service.ts',
  'safety/reports/user-review.service.ts',
  'safety/staff/staff.service.ts',
];

const SRC = __dirname;

/** Upper-case SQL statement shapes; an English sentence in an error message does not match. */
const SQL = /\b(SELECT|INSERT\s+INTO|DELETE\s+FROM)\b|\bUPDATE\s+\w+(\s+\w+)?\s+SET\b|\bWITH\s+\w+\s+AS\s*\(/;

function serviceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'migrations' ? [] : serviceFiles(path);
    return e.name.endsWith('.service.ts') ? [path] : [];
  });
}

/** The text of every string and template literal in a file (a template's `${…}` parts as a placeholder). */
export function literals(source: string): string[] {
  const file = ts.createSourceFile('file.ts', source, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push(node.text);
    else if (ts.isTemplateExpression(node)) {
      out.push(node.head.text + node.templateSpans.map((s) => ` $expr ${s.literal.text}`).join(''));
    }
    ts.forEachChild(node, walk);
  };
  walk(file);
  return out;
}

const sqlIn = (source: string): string[] => literals(source).filter((t) => SQL.test(t));

describe('architecture: SQL lives in repositories, not services', () => {
  const files = serviceFiles(SRC)
    .map((f) => relative(SRC, f).split('\\').join('/'))
    .sort();
  const withSql = files.filter((f) => sqlIn(readFileSync(join(SRC, f), 'utf8')).length > 0);

  it('the scanner recognises SQL in string and template literals, and not English', () => {
    expect(sqlIn("const a = 'SELECT * FROM app_user WHERE id = $1';")).toHaveLength(1);
    expect(sqlIn('q.query(`UPDATE refresh_token SET used_at = now() WHERE x = ${y}`)')).toHaveLength(1);
    expect(sqlIn('q.query(`INSERT INTO block (a) VALUES ($1)`)')).toHaveLength(1);
    expect(sqlIn('const s = `WITH fam AS (SELECT 1) DELETE FROM x`;')).toHaveLength(1);
    expect(sqlIn("throw new InvalidRequest('Select a reason from the list, then update the settings.');")).toHaveLength(0);
    expect(sqlIn('// SELECT * FROM app_user in a comment is not a literal')).toHaveLength(0);
  });

  it('no service outside the shrinking list holds SQL (move it to the domain repository)', () => {
    expect(withSql.filter((f) => !STILL_TO_CONVERT.includes(f))).toEqual([]);
  });

  it('every service on the list still holds SQL (a converted one leaves the list)', () => {
    expect(STILL_TO_CONVERT.filter((f) => !withSql.includes(f))).toEqual([]);
  });
});
