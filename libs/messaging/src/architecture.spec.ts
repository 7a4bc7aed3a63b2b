import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

/**
 * STYLE.md §9 and §12: a service reads as rules, a repository as data. SQL lives in the
 * domain's `*.repository.ts` (or `*.sql.ts`), never in a `*.service.ts`.
 * Issue #27 emptied the list of services that held SQL; none may gain any. The same holds
 * for apps/api (controllers, gateways, guards, processors), which calls services and
 * repositories, but for its start-up in bootstrap/.
 */

const SRC = __dirname;

/** Upper-case SQL statement shapes; an English sentence in an error message does not match. */
const SQL = /\b(SELECT|INSERT\s+INTO|DELETE\s+FROM)\b|\bUPDATE\s+\w+(\s+\w+)?\s+SET\b|\bWITH\s+\w+\s+AS\s*\(/;

const APP = join(SRC, '../../../apps/api/src');

function sourceFiles(dir: string, name: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'migrations' ? [] : sourceFiles(path, name);
    return name.test(e.name) ? [path] : [];
  });
}

const serviceFiles = (dir: string): string[] => sourceFiles(dir, /\.service\.ts$/);

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

  it('finds the services (the scan is not vacuous)', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(files).toContain('messages/messages.service.ts');
  });

  it('no service holds SQL (it belongs in the domain repository)', () => {
    expect(withSql).toEqual([]);
  });

  it('apps/api holds no SQL but its start-up (create the database, the migration lock)', () => {
    const app = sourceFiles(APP, /(?<!\.spec)\.ts$/).map((f) => relative(APP, f).split('\\').join('/'));
    expect(app).toContain('gateway/typing-relay.ts');
    const withSqlInApp = app.filter((f) => !f.startsWith('bootstrap/') && sqlIn(readFileSync(join(APP, f), 'utf8')).length > 0);
    expect(withSqlInApp).toEqual([]);
  });
});

describe('architecture: no dodged dependencies in libs/', () => {
  const LIBS = join(SRC, '../..');
  const files = sourceFiles(LIBS, /\.tsx?$/).filter((f) => !/\.(spec|e2e-spec)\.tsx?$/.test(f) && !f.includes('node_modules'));

  it('scans every library (the scan is not vacuous)', () => {
    expect(files.some((f) => f.endsWith('messages/messages.service.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('client/src/client.ts'))).toBe(true);
  });

  it('no `await import(` and no ModuleRef lookup: a dependency is injected or imported statically', () => {
    const found = files.filter((f) => /\bawait\s+import\s*\(|\bModuleRef\b|moduleRef\.get\b/.test(readFileSync(f, 'utf8')));
    expect(found.map((f) => relative(LIBS, f))).toEqual([]);
  });
});
