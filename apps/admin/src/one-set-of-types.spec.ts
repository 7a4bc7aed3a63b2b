import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

/**
 * One set of types (issue #32, item 14): the console takes the admin API's shapes from the
 * types generated from the server's OpenAPI document (`@backchannel/client/admin`, over
 * libs/client/src/generated/api.ts) and restates none of them. This fails when a file of
 * apps/admin/src declares
 *  - a type named like a generated schema or an export of `@backchannel/client/admin`
 *    (import it instead), or
 *  - an object type with three or more properties that all belong to one generated schema
 *    (a restated record: import the schema, or derive with Pick/Omit).
 * A type whose members are all `unknown` reads untrusted data defensively and restates no
 * type, so it passes. View models that only look like a schema are listed in ALLOWED, each
 * with its reason.
 */
const ROOT = resolve(__dirname, '..', '..', '..');
const SRC = join(ROOT, 'apps/admin/src');
const GENERATED = join(ROOT, 'libs/client/src/generated/api.ts');
const ADMIN_TYPES = join(ROOT, 'libs/client/src/admin-types.ts');

/** `file:Name` (or `file:line` for an anonymous type literal) → why it is not a restatement. */
const ALLOWED: Record<string, string> = {
    'lib/evidence.ts:EvidenceLink':
        "A link as the evidence view shows it, normalised from the report's free-form evidence snapshot (verdict may be 'unknown').",
    'lib/ladder.ts:ResolveFormState': "The resolve form's raw input (durationHours as typed, a string), not a request body.",
};

const parse = (file: string, text = readFileSync(file, 'utf8')) =>
    ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);

const propertyName = (name: ts.PropertyName | undefined): string | null =>
    name && (ts.isIdentifier(name) || ts.isStringLiteral(name)) ? name.text : null;

/** `components['schemas']` of the generated file: each schema's name and property names. */
function generatedSchemas(): Map<string, Set<string>> {
    const schemas = new Map<string, Set<string>>();
    parse(GENERATED).forEachChild(node => {
        if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'components') return;
        const member = node.members.find(m => propertyName(m.name) === 'schemas');
        if (!member || !ts.isPropertySignature(member) || !member.type || !ts.isTypeLiteralNode(member.type)) return;
        for (const schema of member.type.members) {
            const name = propertyName(schema.name);
            if (!name || !ts.isPropertySignature(schema)) continue;
            const props = schema.type && ts.isTypeLiteralNode(schema.type) ? schema.type.members.map(m => propertyName(m.name)) : [];
            schemas.set(name, new Set(props.filter((p): p is string => p !== null)));
        }
    });
    return schemas;
}

/** The names `@backchannel/client/admin` exports (types and enumerations). */
function adminExports(): Set<string> {
    const names = new Set<string>();
    parse(ADMIN_TYPES).forEachChild(node => {
        if (
            (ts.isTypeAliasDeclaration(node) || ts.isInterfaceDeclaration(node)) &&
            node.modifiers?.some(m => m.kind === ts.SyntaxKind.ExportKeyword)
        ) {
            names.add(node.name.text);
        }
    });
    return names;
}

export interface Restatement {
    where: string;
    problem: string;
}

/** What one console source restates of the generated types. */
export function restatements(file: string, text: string, schemas: Map<string, Set<string>>, exported: Set<string>): Restatement[] {
    const found: Restatement[] = [];
    const source = parse(file, text);
    const line = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const visit = (node: ts.Node) => {
        const declared =
            ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isClassDeclaration(node) || ts.isEnumDeclaration(node)
                ? node.name?.text
                : undefined;
        if (declared && (schemas.has(declared) || exported.has(declared)) && !ALLOWED[`${file}:${declared}`]) {
            found.push({
                where: `${file}:${line(node)} ${declared}`,
                problem: `declares ${declared}, a name of the generated admin types: import it from '@backchannel/client/admin'`,
            });
        }
        if (ts.isInterfaceDeclaration(node) || ts.isTypeLiteralNode(node)) {
            const members = node.members.filter(ts.isPropertySignature);
            const keys = members.map(m => propertyName(m.name)).filter((k): k is string => k !== null);
            const defensive = members.every(m => m.type?.kind === ts.SyntaxKind.UnknownKeyword);
            const owner = ts.isInterfaceDeclaration(node)
                ? node.name.text
                : ts.isTypeAliasDeclaration(node.parent)
                  ? node.parent.name.text
                  : String(line(node));
            if (keys.length >= 3 && !defensive && !ALLOWED[`${file}:${owner}`]) {
                const match = [...schemas].find(([, props]) => keys.every(k => props.has(k)));
                if (match) {
                    found.push({
                        where: `${file}:${line(node)} ${owner}`,
                        problem: `restates ${match[0]} ({${keys.join(', ')}}): import it from '@backchannel/client/admin' or derive it with Pick/Omit`,
                    });
                }
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

function consoleSources(dir = SRC): string[] {
    return readdirSync(dir).flatMap(name => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return consoleSources(path);
        return /\.tsx?$/.test(name) && !/\.spec\.tsx?$/.test(name) ? [path] : [];
    });
}

describe('one set of types: the console restates none of the generated admin API types', () => {
    const schemas = generatedSchemas();
    const exported = adminExports();

    it('reads the generated schemas and the admin exports', () => {
        expect(schemas.get('HeldMessage')).toEqual(expect.any(Set));
        expect(schemas.get('HeldMessage')!.has('senderHandle')).toBe(true);
        expect(exported.has('HeldMessage')).toBe(true);
        expect(exported.has('ActionBody')).toBe(false);
    });

    it('no file of apps/admin/src declares a generated type again', () => {
        const found = consoleSources().flatMap(path => {
            const file = relative(SRC, path);
            return restatements(file, readFileSync(path, 'utf8'), schemas, exported);
        });
        expect(found).toEqual([]);
    });

    it('catches a restated record, a restated name, and lets defensive readers and derived types pass', () => {
        const sample = [
            'interface Held { id: string; senderHandle: string | null; text: string | null; createdAt: string }',
            'type Rules = { rules: { id: string | null; name: string; pattern: string }[] };',
            'export interface StaffMember { id: string }',
            'const read = (r: { id?: unknown; senderHandle?: unknown; text?: unknown }) => r;',
            "type PolicyChoice = Required<Pick<ResolveBody, 'policy' | 'severity'>>;",
        ].join('\n');
        const found = restatements('x.ts', sample, schemas, exported);
        expect(found.map(f => f.where)).toEqual(['x.ts:1 Held', 'x.ts:2 2', 'x.ts:3 StaffMember']);
        expect(found[0].problem).toMatch(/restates HeldMessage/);
        expect(found[1].problem).toMatch(/restates HeldRule/);
        expect(found[2].problem).toMatch(/a name of the generated admin types/);
    });

    it('every allowed exception still exists (a stale entry is removed)', () => {
        for (const key of Object.keys(ALLOWED)) {
            const [file, name] = key.split(':');
            expect(readFileSync(join(SRC, file), 'utf8')).toMatch(new RegExp(`(interface|type) ${name}\\b`));
        }
    });
});
