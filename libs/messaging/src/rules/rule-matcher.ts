import { RE2JS } from 're2js';
import { foldText, tokensOfFolded } from '../conversations/hidden-words';

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
  let p = pattern.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/^\*\./, '');
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

/** The RE2 program for a staff regex, or the engine's reason it cannot run it. */
export function compileRegex(pattern: string): { re: RE2JS } | { error: string } {
  try {
    return { re: RE2JS.compile(foldRegex(pattern), RE2JS.CASE_INSENSITIVE) };
  } catch (err: any) {
    return { error: String(err?.message ?? err).replace(/^error parsing regexp: /, '') };
  }
}

/** Problems with one pattern of a rule of this kind (empty: fine). */
export function patternProblems(kind: RuleKind, pattern: unknown): string[] {
  if (typeof pattern !== 'string') return ['must be a string'];
  if (pattern.trim().length === 0 || pattern.length > MAX_PATTERN_CHARS) return [`must be 1-${MAX_PATTERN_CHARS} characters`];
  if (/[\u0000-\u001f\u007f]/.test(pattern)) return ['must not contain control characters'];
  if (kind === 'keyword') return keywordNeedle(pattern) ? [] : ['a keyword needs a letter or digit, and `*` only at its start or end'];
  if (kind === 'domain') return normalizeDomain(pattern) ? [] : ['must be a domain such as example.com'];
  const compiled = compileRegex(pattern);
  return 'error' in compiled ? [`not a regex the linear-time engine (RE2) can run: ${compiled.error}`] : [];
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

/** Every enabled rule compiled once (per process, per rules version). */
export class RuleMatcher {
  private readonly rules: CompilableRule[];
  private readonly keywords: AhoCorasick | null;
  private readonly keywordOwners: Owned[] = [];
  private readonly regexUnion: RE2JS | null;
  private readonly regexes: Array<Owned & { re: RE2JS }> = [];
  private readonly domains = new Map<string, Owned[]>();

  constructor(rules: readonly CompilableRule[]) {
    this.rules = rules.filter((r) => r.enabled);
    const needles: string[] = [];
    const union: string[] = [];
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
          if ('error' in c) continue; // refused at creation; never stored
          this.regexes.push({ rule, pattern, re: c.re });
          union.push(`(?:${foldRegex(pattern)})`);
        }
      }
    });
    this.keywords = needles.length ? new AhoCorasick(needles) : null;
    this.regexUnion = union.length ? compileUnion(union) : null;
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
    if (this.regexes.length && (!this.regexUnion || this.regexUnion.test(folded))) {
      for (const r of this.regexes) if (!hit.has(r.rule) && r.re.test(folded)) add(r);
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
