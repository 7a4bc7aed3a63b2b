import { AhoCorasick, RuleMatcher, keywordNeedle, normalizeDomain, patternProblems, type CompilableRule } from './rule-matcher';

const rule = (id: string, kind: CompilableRule['kind'], patterns: string[], extra: Partial<CompilableRule> = {}): CompilableRule => ({
  id, name: id, enabled: true, mode: 'live', kind, patterns, appliesTo: ['direct'], action: 'block', reason: 'r', exemptUserIds: [], ...extra,
});
const ids = (m: RuleMatcher, text: string, hosts: string[] = []) => m.match(text, hosts).map((x) => x.rule.id).sort();

describe('rule matcher: Aho-Corasick', () => {
  it('finds every needle, overlapping ones included, in one pass', () => {
    const ac = new AhoCorasick(['he', 'she', 'his', 'hers']);
    const found: number[] = [];
    ac.search('ushers', (i) => found.push(i));
    expect(found.sort()).toEqual([0, 1, 3]);
  });
});

describe('rule matcher: keywords', () => {
  const m = new RuleMatcher([rule('kw', 'keyword', ['idiot', 'go away']), rule('pre', 'keyword', ['scam*']), rule('suf', 'keyword', ['*coin'])]);
  it('normalises leetspeak, accents, zero-width characters and Cyrillic look-alikes', () => {
    expect(ids(m, 'you 1d10t')).toEqual(['kw']);
    expect(ids(m, 'ÍDÏÖT!')).toEqual(['kw']);
    expect(ids(m, 'id\u200biot')).toEqual(['kw']);
    expect(ids(m, 'іdіоt')).toEqual(['kw']); // Cyrillic і, о
    expect(ids(m, 'please G0  AWAY')).toEqual(['kw']);
  });
  it('matches whole words, and `*` at either end widens to prefix or suffix', () => {
    expect(ids(m, 'idiots and idiocy')).toEqual([]);
    expect(ids(m, 'a scammer')).toEqual(['pre']);
    expect(ids(m, 'buy bitcoin')).toEqual(['suf']);
    expect(ids(m, 'coinbase')).toEqual([]);
  });
  it('keywordNeedle frames whole words and refuses an interior star or no letters', () => {
    expect(keywordNeedle('Idiot')).toBe(' idiot ');
    expect(keywordNeedle('*x*')).toBe('x');
    expect(keywordNeedle('a*b')).toBeNull();
    expect(keywordNeedle('***')).toBeNull();
  });
});

describe('rule matcher: regexes and domains', () => {
  it('regexes run case-insensitively over folded text; several rules each match once', () => {
    const m = new RuleMatcher([rule('re', 'regex', ['buy\\s+followers', '\\d{3}-\\d{4}']), rule('kw', 'keyword', ['followers'])]);
    expect(ids(m, 'BUY   F0LLOWERS')).toEqual(['kw']); // keywords read 0 as o; regexes see digits as digits
    expect(ids(m, 'BUY   Fóllowers now')).toEqual(['kw', 're']);
    expect(m.match('call 555-1234')[0].pattern).toBe('\\d{3}-\\d{4}');
  });
  it('refuses backreferences and lookaround; (a+)+$ runs in linear time', () => {
    expect(patternProblems('regex', '(a)\\1')).toHaveLength(1);
    expect(patternProblems('regex', '(?=x)y')).toHaveLength(1);
    expect(patternProblems('regex', '(?<!x)y')).toHaveLength(1);
    expect(patternProblems('regex', '(a+)+$')).toEqual([]);
    const m = new RuleMatcher([rule('evil', 'regex', ['(a+)+$'], {})]);
    const text = `${'a'.repeat(3999)}!`;
    const started = Date.now();
    expect(ids(m, text)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000); // a backtracking engine needs ~2^3999 steps
  });
  it('a domain matches the host and its subdomains, not look-alike suffixes', () => {
    const m = new RuleMatcher([rule('d', 'domain', ['Bad.Example', '*.evil.test'])]);
    expect(ids(m, '', ['bad.example'])).toEqual(['d']);
    expect(ids(m, '', ['a.b.bad.example'])).toEqual(['d']);
    expect(ids(m, '', ['notbad.example'])).toEqual([]);
    expect(ids(m, '', ['x.evil.test'])).toEqual(['d']);
    expect(normalizeDomain('https://Example.com/path')).toBe('example.com');
    expect(normalizeDomain('localhost')).toBeNull();
  });
  it('disabled rules are not compiled; no enabled rule means empty', () => {
    expect(new RuleMatcher([rule('x', 'keyword', ['idiot'], { enabled: false })]).empty).toBe(true);
  });
});
