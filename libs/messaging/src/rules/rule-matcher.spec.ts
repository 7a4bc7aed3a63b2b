import { RE2JS } from 're2js';
import {
  AhoCorasick,
  MAX_PATTERN_PROGRAM,
  MAX_REGEX_TEXT,
  MAX_RULES_PROGRAM,
  RuleBook,
  RuleMatcher,
  compileRegex,
  estimatedProgramSize,
  keywordNeedle,
  normalizeDomain,
  patternProblems,
  patternsProblems,
  rulePrograms,
  type CompilableRule,
} from './rule-matcher';

const rule = (id: string, kind: CompilableRule['kind'], patterns: string[], extra: Partial<CompilableRule> = {}): CompilableRule => ({
  id,
  name: id,
  enabled: true,
  mode: 'live',
  kind,
  patterns,
  appliesTo: ['direct'],
  action: 'block',
  reason: 'r',
  exemptUserIds: [],
  ...extra,
});
const ids = (m: RuleMatcher, text: string, hosts: string[] = []) =>
  m
    .match(text, hosts)
    .map((x) => x.rule.id)
    .sort();

describe('rule matcher: Aho-Corasick', () => {
  it('finds every needle, overlapping ones included, in one pass', () => {
    const ac = new AhoCorasick(['he', 'she', 'his', 'hers']);
    const found: number[] = [];
    ac.search('ushers', (i) => found.push(i));
    expect(found.sort()).toEqual([0, 1, 3]);
  });
});

describe('rule matcher: keywords', () => {
  const m = new RuleMatcher([
    rule('kw', 'keyword', ['idiot', 'go away']),
    rule('pre', 'keyword', ['scam*']),
    rule('suf', 'keyword', ['*coin']),
  ]);
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

describe('rule matcher: what regexes may cost', () => {
  const issuePattern = '[a-z]{1000}'.repeat(18); // 198 characters, 18,002 instructions: ~0.6 s per 4,000-character message

  it("the size estimate read from a pattern's text is close to RE2's program size where repeats make programs large", () => {
    for (const p of [
      issuePattern,
      'a{0,1000}',
      '\\pL{0,500}x',
      '(?:[a-z]{100}){10}',
      '.{0,100}',
      '\\d{3}-\\d{4}',
      '(?:buy|sell)\\s+\\w+',
      '\\Q.*\\E+',
    ]) {
      const real = RE2JS.compile(p, RE2JS.CASE_INSENSITIVE).programSize();
      const estimate = estimatedProgramSize(p);
      expect({ p, ok: estimate >= real * 0.5 && estimate <= real * 2 + 10 }).toEqual({ p, ok: true });
    }
  });

  it(`a pattern compiling past ${MAX_PATTERN_PROGRAM} instructions is refused, naming it; .{0,100} (202) is accepted`, () => {
    const [problem] = patternProblems('regex', issuePattern);
    expect(problem).toContain(issuePattern);
    expect(problem).toMatch(/too costly/);
    expect(patternProblems('regex', '[a-z]{299}')).toEqual([expect.stringMatching(/compiles to 301 instructions, more than the 300/)]);
    expect(patternProblems('regex', '[a-z]{298}')).toEqual([]);
    expect(patternProblems('regex', '.{0,100}')).toEqual([]);
    expect(compileRegex('.{0,100}')).toMatchObject({ size: 202 });
  });

  it('validating a rule compiles its regexes only while their estimates stay within twice the rule-set bound', () => {
    const patterns = Array.from({ length: 500 }, (_, i) => `[a-z]{250}q${i}`);
    const problems = patternsProblems('regex', patterns);
    const unchecked = problems.filter((p) => p.problems[0].includes('not checked'));
    expect(unchecked.length).toBeGreaterThan(480);
    expect(unchecked[0].index).toBeLessThanOrEqual(Math.ceil((2 * MAX_RULES_PROGRAM) / 250));
  });

  it(`a matcher never runs more than ${MAX_RULES_PROGRAM} instructions of regex, whatever rows it is given: the oldest run, from the first that does not fit on all are skipped and listed`, () => {
    const fill = Array.from({ length: 6 }, (_, i) => `[a-z]{280}f${i}`); // 6 × 284
    const m = new RuleMatcher([
      rule('huge', 'regex', [issuePattern, 'zqhuge']),
      rule('fill', 'regex', fill),
      rule('late', 'regex', ['zqlate\\d+']),
    ]);
    expect(m.regexProgram).toBeLessThanOrEqual(MAX_RULES_PROGRAM);
    expect(m.regexProgram).toBe(rulePrograms('regex', ['zqhuge', ...fill.slice(0, 5)]).reduce((a, b) => a + b, 0));
    expect(m.skipped.map((x) => x.pattern)).toEqual([issuePattern, fill[5], 'zqlate\\d+']);
    expect(ids(m, 'zqhuge')).toEqual(['huge']);
    expect(ids(m, 'zqlate42')).toEqual([]);
  });

  it(`regexes read at most ${MAX_REGEX_TEXT} characters of folded text (folding can lengthen a text 18-fold); keywords read it all`, () => {
    const m = new RuleMatcher([rule('re', 'regex', ['zqend$']), rule('kw', 'keyword', ['zqend'])]);
    const padded = `${'\ufdfa'.repeat(500)} zqend`; // 506 characters, folded to 9,006
    expect(ids(m, padded)).toEqual(['kw']);
    expect(ids(m, `${'\ufdfa'.repeat(100)} zqend`)).toEqual(['kw', 're']);
  });

  it('a rule book evaluates only the rules whose scope applies to the send', () => {
    const book = new RuleBook([
      rule('q', 'regex', ['zq\\d+'], { appliesTo: ['questions'], mode: 'dry_run' }),
      rule('d', 'keyword', ['zq'], { appliesTo: ['direct'] }),
      rule('r', 'keyword', ['zq'], { appliesTo: ['requests'] }),
      rule('off', 'keyword', ['zq'], { appliesTo: ['direct'], enabled: false }),
    ]);
    expect(book.forScopes(['direct']).ruleIds).toEqual(['d']);
    expect(book.forScopes(['requests', 'direct']).ruleIds).toEqual(['d', 'r']);
    expect(book.forScopes(['questions']).ruleIds).toEqual(['q']);
    expect(book.forScopes(['room']).empty).toBe(true);
    expect(book.covers(['group', 'room'])).toBe(false);
    expect(book.forScopes(['direct'])).toBe(book.forScopes(['direct'])); // compiled once
    expect(book.uniformOver(['requests', 'direct', 'group', 'room'])).toBe(false);
    const everywhere = new RuleBook([
      rule('all', 'keyword', ['zq'], { appliesTo: ['requests', 'direct', 'group', 'room'] }),
      rule('q', 'keyword', ['zq'], { appliesTo: ['questions'] }),
    ]);
    expect(everywhere.uniformOver(['requests', 'direct', 'group', 'room'])).toBe(true);
    expect(everywhere.forScopes(['room']).ruleIds).toEqual(everywhere.forScopes(['requests', 'direct', 'group', 'room']).ruleIds);
  });
});
