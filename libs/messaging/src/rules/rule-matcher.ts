import { RE2JS } from 're2js';
import { foldText, tokensOfFolded } from '../accounts/hidden-words';

/**
 * Staff rules (API.md v1.1 "Rules"), the pure part: validating patterns and compiling every
 * enabled rule into ONE matcher that a send runs once.
 *
 * The text is normalised once (hidden-words.ts): `foldText` (NFKD, accents and zero-width
 * characters removed, lower-cased, Cyrillic/Greek look-alikes folded to Latin), then for
 * keywords the leetspeak substitutions and tokens. Then, in one pass each:
 * - keywords: one Aho-Corasick automaton over the tokens joined by single spaces, framed by
 *   spaces. A keyword matches whole words as hidden words do (`ass` never in `class`); a
 *   `*` at its start or end drops that frame, so `scam*` also matches `scammer` and `*coin`
 *   `bitcoin`; a keyword of several words is a phrase.
 * - regexes: RE2JS (a pure-JS port of RE2: linear time, no backtracking, so `(a+)+$` cannot
 *   blow up); all regexes form one alternation that is run once, and only when it matches
 *   are the rules' own regexes run to say which. They run case-insensitively over the folded
 *   text (digits kept, so `\d` still works); non-ASCII letters in a pattern are folded the
 *   same way. Backreferences and lookaround are not RE2 syntax: such a pattern is refused.
 *   Cost: RE2 runs in time proportional to (program size × text length), and a counted
 *   repeat multiplies the program (`[a-z]{1000}` is 1,002 instructions), so a pattern's
 *   program is bounded (MAX_PATTERN_PROGRAM), and so is the sum over every stored regex
 *   (MAX_RULES_PROGRAM, checked on create/update). A matcher enforces both itself on
 *   whatever rows it is given (a pattern past either bound is skipped, and reported in
 *   `skipped`), and regexes see at most MAX_REGEX_TEXT characters of folded text, so one
 *   screening never costs more than MAX_RULES_PROGRAM × MAX_REGEX_TEXT steps (twice, with
 *   the re-run that names the matching rules) whatever the stored rules are.
 * - domains: the host of every link in the text, and each parent domain of it, looked up in
 *   one map: `example.com` matches `example.com` and `a.b.example.com`, not `badexample.com`.
 */

export const RULE_KINDS = ['keyword', 'regex', 'domain'] as const;
export const RULE_SCOPES = ['requests', 'direct', 'group', 'room', 'questions'] as const;
export const RULE_ACTIONS = ['block', 'hold', 'hide', 'flag'] as const;
export const RULE_MODES = ['live', 'dry_run'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
export type RuleScope = (typeof RULE_SCOPES)[number];
export type RuleAction = (typeof RULE_ACTIONS)[number];
export type RuleMode = (typeof RULE_MODES)[number];

/** Strongest first: a send matched by several live rules gets the strongest action. */
export const ACTION_STRENGTH: Record<RuleAction, number> = { block: 4, hold: 3, hide: 2, flag: 1 };

export const MAX_PATTERNS = 500;
export const MAX_PATTERN_CHARS = 200;
/** RE2 instructions one regex pattern may compile to: `.{0,100}` is 202, `\d{3}-\d{4}` 10. */
export const MAX_PATTERN_PROGRAM = 300;
/**
 * RE2 instructions all stored regex patterns together may compile to (enabled or not: the
 * console's test runs them all, and enabling a rule then never fails on cost). Worst case
 * measured at this bound (`\pL{280}9`-like patterns of different classes, a 4,000-letter
 * text that keeps every one alive): 50-300 ms per screening on a shared 2-core machine
 * under load, where the 5 × 18,002 took 2.1 s; ordinary patterns cost microseconds.
 * The 80 regexes of the 200-rule benchmark set total 1,152.
 */
export const MAX_RULES_PROGRAM = 1500;
/** Regexes read at most this much folded text (a message is ≤ 4,000 characters; folding can lengthen it: `ﷺ` is 18). */
export const MAX_REGEX_TEXT = 8000;
/** A pattern whose size, estimated from its text, is past this is refused without being compiled (compiling 44k instructions takes ~0.8 s). */
const MAX_ESTIMATED_PROGRAM = 4 * MAX_PATTERN_PROGRAM;

export interface CompilableRule {
  id: string;
  name: string;
  enabled: boolean;
  mode: RuleMode;
  kind: RuleKind;
  patterns: string[];
  appliesTo: RuleScope[];
  action: RuleAction;
  reason: string;
  exemptUserIds: string[];
}

export interface RuleMatch {
  rule: CompilableRule;
  /** The rule's pattern that matched (the first found). */
  pattern: string;
}

/** A keyword as the needle searched in the framed token string, or null when it has no letter or digit. */
export function keywordNeedle(pattern: string): string | null {
  const p = pattern.trim();
  const open = p.startsWith('*');
  const close = p.endsWith('*') && p.length > 1;
  const core = p.slice(open ? 1 : 0, close ? -1 : undefined);
  if (core.includes('*')) return null;
  const tokens = tokensOfFolded(foldText(core));
  if (tokens.length === 0) return null;
  return `${open ? '' : ' '}${tokens.join(' ')}${close ? '' : ' '}`;
}

/** `Example.COM`, `*.example.com`, `https://example.com/x` → `example.com`; null when it is not a domain. */
export function normalizeDomain(pattern: string): string | null {
  let p = pattern
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^\*\./, '');
  p = p.split(/[/?#]/, 1)[0].replace(/\.$/, '');
  if (!p || /[\s@:*]/.test(p) || !p.includes('.')) return null;
  try {
    const host = new URL(`http://${p}`).hostname;
    return host && host.includes('.') ? host : null;
  } catch {
    return null;
  }
}

/** Non-ASCII letters of a regex folded as the text is; ASCII (escapes, classes) left as written. */
const foldRegex = (pattern: string) => pattern.replace(/[^\u0000-\u007f]+/g, (s) => foldText(s));

/**
 * An estimate of the RE2 program size of a regex, read from its text without compiling it:
 * an atom (literal, class, escape, `.`) costs 1, a group its contents plus 2, `|` and `* + ?`
 * 1 each, and a counted repeat `{n,m}` m copies plus one per optional copy. Close to the
 * real size for the repeats that make programs large (`a{0,1000}` → 2,000, RE2 2,000;
 * `[a-z]{1000}` → 1,000, RE2 1,002), so a pattern that would take long to compile is
 * refused before compiling.
 */
export function estimatedProgramSize(pattern: string): number {
  const stack: number[][] = [[]];
  const top = () => stack[stack.length - 1];
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      const e = pattern[i + 1];
      if (e === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const literal = end < 0 ? pattern.slice(i + 2) : pattern.slice(i + 2, end);
        top().push(literal.length);
        i = end < 0 ? pattern.length : end + 2;
        continue;
      }
      if ((e === 'p' || e === 'P' || e === 'x') && pattern[i + 2] === '{') {
        const end = pattern.indexOf('}', i + 3);
        i = end < 0 ? pattern.length : end + 1;
      } else i += e === 'p' || e === 'P' ? 3 : e === 'x' ? 4 : 2;
      top().push(1);
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '\\') j += 2;
        else if (pattern.startsWith('[:', j)) {
          const end = pattern.indexOf(':]', j + 2);
          j = end < 0 ? j + 1 : end + 2;
        } else j++;
      }
      i = j + 1;
      top().push(1);
    } else if (c === '(') {
      const flagsOnly = /^\(\?[a-zA-Z-]*\)/.exec(pattern.slice(i));
      if (flagsOnly) {
        i += flagsOnly[0].length;
        continue;
      }
      const opener = /^\((\?(P?<[^>]*>|[a-zA-Z-]*:))?/.exec(pattern.slice(i))!;
      i += opener[0].length;
      stack.push([]);
    } else if (c === ')') {
      const inner = stack.length > 1 ? stack.pop()! : [];
      top().push(sum(inner) + 2);
      i++;
    } else if (c === '*' || c === '+' || c === '?') {
      const items = top();
      if (items.length) items[items.length - 1] += 1;
      i += pattern[i + 1] === '?' ? 2 : 1;
    } else {
      const repeat = c === '{' ? /^\{(\d+)(,(\d*))?\}\??/.exec(pattern.slice(i)) : null;
      const items = top();
      if (repeat && items.length) {
        const n = Number(repeat[1]);
        const unbounded = !!repeat[2] && !repeat[3];
        const m = repeat[2] && repeat[3] ? Math.max(Number(repeat[3]), n) : n;
        items[items.length - 1] = items[items.length - 1] * Math.max(m, 1) + (m - n) + (unbounded ? 1 : 0);
        i += repeat[0].length;
      } else {
        top().push(1);
        i++;
      }
    }
  }
  while (stack.length > 1) {
    const inner = stack.pop()!;
    top().push(sum(inner) + 2);
  }
  return sum(stack[0]);
}

/** Compiled staff regexes by pattern, shared by every matcher of the process (and their lazy DFAs). */
const compiledRegexes = new Map<string, { re: RE2JS; size: number } | { error: string }>();
const MAX_CACHED_REGEXES = 5000;

/**
 * The RE2 program for a staff regex and its size (instructions), or why it is refused: the
 * engine cannot run it (syntax RE2 lacks), or it costs more than MAX_PATTERN_PROGRAM. The
 * one definition used by validation and by every matcher. Cached per pattern.
 */
export function compileRegex(pattern: string): { re: RE2JS; size: number } | { error: string } {
  let compiled = compiledRegexes.get(pattern);
  if (compiled) return compiled;
  const folded = foldRegex(pattern);
  const estimate = estimatedProgramSize(folded);
  if (estimate > MAX_ESTIMATED_PROGRAM) {
    compiled = {
      error: `too costly: it expands to about ${estimate} instructions, more than the ${MAX_PATTERN_PROGRAM} a pattern may cost (shorten its repeats)`,
    };
  } else {
    try {
      const re = RE2JS.compile(folded, RE2JS.CASE_INSENSITIVE);
      const size = re.programSize();
      compiled =
        size > MAX_PATTERN_PROGRAM
          ? {
              error: `too costly: it compiles to ${size} instructions, more than the ${MAX_PATTERN_PROGRAM} a pattern may cost (shorten its repeats)`,
            }
          : { re, size };
    } catch (err: any) {
      compiled = {
        error: `not a regex the linear-time engine (RE2) can run: ${String(err?.message ?? err).replace(/^error parsing regexp: /, '')}`,
      };
    }
  }
  if (compiledRegexes.size >= MAX_CACHED_REGEXES) compiledRegexes.clear();
  compiledRegexes.set(pattern, compiled);
  return compiled;
}

/** What a rule's patterns cost against MAX_RULES_PROGRAM: the program sizes of its regexes (0 for other kinds, and for patterns refused anyway). */
export function rulePrograms(kind: RuleKind, patterns: readonly string[]): number[] {
  if (kind !== 'regex') return patterns.map(() => 0);
  return patterns.map((p) => {
    const c = compileRegex(p);
    return 'size' in c ? c.size : 0;
  });
}

/** Problems with one pattern of a rule of this kind (empty: fine). */
export function patternProblems(kind: RuleKind, pattern: unknown): string[] {
  if (typeof pattern !== 'string') return ['must be a string'];
  if (pattern.trim().length === 0 || pattern.length > MAX_PATTERN_CHARS) return [`must be 1-${MAX_PATTERN_CHARS} characters`];
  if (/[\u0000-\u001f\u007f]/.test(pattern)) return ['must not contain control characters'];
  if (kind === 'keyword') return keywordNeedle(pattern) ? [] : ['a keyword needs a letter or digit, and `*` only at its start or end'];
  if (kind === 'domain') return normalizeDomain(pattern) ? [] : ['must be a domain such as example.com'];
  const compiled = compileRegex(pattern);
  return 'error' in compiled ? [`\`${pattern}\` is ${compiled.error}`] : [];
}

/**
 * Problems with each pattern of a rule, by index. A rule's regexes are compiled one by one
 * while their estimated sizes together stay within 2 × MAX_RULES_PROGRAM; past that they are
 * refused unchecked, so validating one body (a draft on the console's test included) never
 * compiles much more than a whole rule set may hold.
 */
export function patternsProblems(kind: RuleKind, patterns: readonly unknown[]): Array<{ index: number; problems: string[] }> {
  const out: Array<{ index: number; problems: string[] }> = [];
  let estimated = 0;
  patterns.forEach((p, index) => {
    if (kind === 'regex' && typeof p === 'string' && p.length <= MAX_PATTERN_CHARS) {
      estimated += Math.min(estimatedProgramSize(foldRegex(p)), MAX_ESTIMATED_PROGRAM + 1);
      if (estimated > 2 * MAX_RULES_PROGRAM) {
        out.push({
          index,
          problems: [
            `\`${p}\` not checked: this rule's regexes already expand to more than the ${MAX_RULES_PROGRAM} instructions all regex rules may cost together`,
          ],
        });
        return;
      }
    }
    const problems = patternProblems(kind, p);
    if (problems.length) out.push({ index, problems });
  });
  return out;
}

/** Aho-Corasick over UTF-16 code units: all needles found in one left-to-right pass. */
export class AhoCorasick {
  private readonly next: Array<Map<number, number>> = [new Map()];
  private readonly fail: number[] = [0];
  /** Needle indexes ending at each node (own and inherited through fail links). */
  private readonly out: number[][] = [[]];

  constructor(needles: readonly string[]) {
    needles.forEach((needle, i) => {
      let node = 0;
      for (let k = 0; k < needle.length; k++) {
        const c = needle.charCodeAt(k);
        let to = this.next[node].get(c);
        if (to === undefined) {
          to = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.next[node].set(c, to);
        }
        node = to;
      }
      this.out[node].push(i);
    });
    const queue: number[] = [];
    for (const to of this.next[0].values()) queue.push(to);
    for (let h = 0; h < queue.length; h++) {
      const node = queue[h];
      for (const [c, to] of this.next[node]) {
        let f = this.fail[node];
        while (f !== 0 && !this.next[f].has(c)) f = this.fail[f];
        const g = this.next[f].get(c);
        this.fail[to] = g !== undefined && g !== to ? g : 0;
        if (this.out[this.fail[to]].length) this.out[to] = this.out[to].concat(this.out[this.fail[to]]);
        queue.push(to);
      }
    }
  }

  /** Calls `found` with the index of every needle occurring in `text` (repeats possible). */
  search(text: string, found: (needle: number) => void): void {
    let node = 0;
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      let to = this.next[node].get(c);
      while (to === undefined && node !== 0) {
        node = this.fail[node];
        to = this.next[node].get(c);
      }
      node = to ?? 0;
      const out = this.out[node];
      for (let j = 0; j < out.length; j++) found(out[j]);
    }
  }
}

interface Owned {
  rule: number;
  pattern: string;
}

/**
 * One program for all regexes, or null when patterns valid alone do not compile together
 * (two rules naming the same group `(?P<n>…)`; a `\Q` without `\E` quoting the union's
 * `)`): then every send was a 500 (issue #33); now each regex is tried on its own.
 */
function compileUnion(union: string[]): RE2JS | null {
  try {
    return RE2JS.compile(union.join('|'), RE2JS.CASE_INSENSITIVE);
  } catch {
    return null;
  }
}

/**
 * A set of enabled rules compiled once into one pass (per process, per rules version, per
 * scope: see RuleBook). Its regexes never cost more than MAX_RULES_PROGRAM together: a
 * pattern refused by compileRegex is skipped, and from the first regex that would take the
 * total past the bound on (in the order given: oldest first) every regex is skipped; all are
 * listed in `skipped` (only rows written around the API can have such patterns).
 */
export class RuleMatcher {
  private readonly rules: CompilableRule[];
  private readonly keywords: AhoCorasick | null;
  private readonly keywordOwners: Owned[] = [];
  private readonly regexUnion: RE2JS | null;
  private readonly regexes: Array<Owned & { re: RE2JS }> = [];
  private readonly domains = new Map<string, Owned[]>();
  /** RE2 instructions of the regexes this matcher runs (≤ MAX_RULES_PROGRAM). */
  readonly regexProgram: number = 0;
  /** Stored regex patterns this matcher does not run, with why. */
  readonly skipped: Array<{ ruleId: string; pattern: string; problem: string }> = [];

  constructor(rules: readonly CompilableRule[]) {
    this.rules = rules.filter((r) => r.enabled);
    const needles: string[] = [];
    const union: string[] = [];
    let program = 0;
    let full = false;
    this.rules.forEach((r, rule) => {
      for (const pattern of r.patterns) {
        if (r.kind === 'keyword') {
          const needle = keywordNeedle(pattern);
          if (!needle) continue;
          needles.push(needle);
          this.keywordOwners.push({ rule, pattern });
        } else if (r.kind === 'domain') {
          const d = normalizeDomain(pattern);
          if (!d) continue;
          const list = this.domains.get(d) ?? [];
          list.push({ rule, pattern });
          this.domains.set(d, list);
        } else {
          const c = compileRegex(pattern);
          if ('error' in c) {
            this.skipped.push({ ruleId: r.id, pattern, problem: c.error });
            continue;
          }
          if (full || program + c.size > MAX_RULES_PROGRAM) {
            full = true; // from here on, every regex is skipped: the oldest rules are the ones that run
            this.skipped.push({
              ruleId: r.id,
              pattern,
              problem: `past the ${MAX_RULES_PROGRAM} instructions all regexes may cost together`,
            });
            continue;
          }
          program += c.size;
          this.regexes.push({ rule, pattern, re: c.re });
          union.push(`(?:${foldRegex(pattern)})`);
        }
      }
    });
    this.regexProgram = program;
    this.keywords = needles.length ? new AhoCorasick(needles) : null;
    this.regexUnion = union.length ? compileUnion(union) : null;
  }

  /** The ids of the rules this matcher evaluates. */
  get ruleIds(): string[] {
    return this.rules.map((r) => r.id);
  }

  static readonly EMPTY = new RuleMatcher([]);

  /** No enabled rule: a send skips normalisation entirely. */
  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Every enabled rule that matches `text` or one of the link `hosts`, each once, with the pattern that matched. */
  match(text: string, hosts: readonly string[] = []): RuleMatch[] {
    if (this.empty) return [];
    const hit = new Map<number, string>();
    const add = (o: Owned) => {
      if (!hit.has(o.rule)) hit.set(o.rule, o.pattern);
    };
    const folded = foldText(text);
    if (this.keywords) {
      const framed = ` ${tokensOfFolded(folded).join(' ')} `;
      this.keywords.search(framed, (i) => add(this.keywordOwners[i]));
    }
    // The union only screens out texts no regex matches; without one, each regex is tried.
    if (this.regexes.length) {
      const read = folded.length > MAX_REGEX_TEXT ? folded.slice(0, MAX_REGEX_TEXT) : folded;
      if (!this.regexUnion || this.regexUnion.test(read)) for (const r of this.regexes) if (!hit.has(r.rule) && r.re.test(read)) add(r);
    }
    if (this.domains.size) {
      for (const raw of hosts) {
        let h = raw.toLowerCase().replace(/\.$/, '');
        for (;;) {
          const owners = this.domains.get(h);
          if (owners) owners.forEach(add);
          const dot = h.indexOf('.');
          if (dot < 0) break;
          h = h.slice(dot + 1);
        }
      }
    }
    return [...hit].map(([rule, pattern]) => ({ rule: this.rules[rule], pattern }));
  }
}

/**
 * The enabled rules of one rules version, compiled per scope: a send is screened only by the
 * rules whose `appliesTo` names one of its scopes (a rule for `questions` costs a direct
 * message nothing, dry-run or live). One matcher per scope combination a send can have
 * (`room`, `questions`, `direct`, `group`, and a request's `requests` + `direct`/`group`),
 * compiled on first use and kept until the next version.
 */
export class RuleBook {
  private readonly enabled: CompilableRule[];
  private readonly matchers = new Map<string, RuleMatcher>();

  constructor(rules: readonly CompilableRule[]) {
    this.enabled = rules.filter((r) => r.enabled);
  }

  static readonly EMPTY = new RuleBook([]);

  /** What a matcher will skip in these rules (only rows written around the API have any), for the log. */
  costWarnings(): string[] {
    const out: string[] = [];
    let total = 0;
    for (const r of this.enabled) {
      if (r.kind !== 'regex') continue;
      for (const pattern of r.patterns) {
        const c = compileRegex(pattern);
        if ('error' in c) out.push(`rule ${r.id}: \`${pattern}\` is not run: ${c.error}`);
        else total += c.size;
      }
    }
    if (total > MAX_RULES_PROGRAM)
      out.push(
        `the enabled regex rules compile to ${total} instructions, more than ${MAX_RULES_PROGRAM}: the newest are not run where they do not fit`,
      );
    return out;
  }

  /**
   * Every enabled rule that applies to one of these scopes applies to all of them, so the
   * matcher is the same for any non-empty subset (a send need not know its scopes to pick it).
   */
  uniformOver(scopes: readonly RuleScope[]): boolean {
    return this.enabled.every((r) => {
      const n = scopes.filter((s) => r.appliesTo.includes(s)).length;
      return n === 0 || n === scopes.length;
    });
  }

  /** Some enabled rule applies to one of these scopes. */
  covers(scopes: readonly RuleScope[]): boolean {
    return this.enabled.some((r) => r.appliesTo.some((s) => scopes.includes(s)));
  }

  /** The matcher for a send whose scopes are these. */
  forScopes(scopes: readonly RuleScope[]): RuleMatcher {
    const key = [...scopes].sort().join(',');
    let m = this.matchers.get(key);
    if (!m) {
      m = new RuleMatcher(this.enabled.filter((r) => r.appliesTo.some((s) => scopes.includes(s))));
      this.matchers.set(key, m);
    }
    return m;
  }
}
