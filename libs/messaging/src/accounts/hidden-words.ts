import { CONFUSABLE_LETTER, LETTER_CONFUSABLES } from '../text/confusables';

/**
 * Hidden words (API.md v1.1, "Hidden requests"): a pure normaliser and whole-word matcher.
 *
 * Text and words are normalised alike: NFKD, combining marks stripped (accents), zero-width
 * characters and soft hyphens removed, lower-cased, Cyrillic and Greek letters that look
 * like Latin ones folded to them (`іdіоt` in Cyrillic reads as `idiot`), then the leetspeak
 * substitutions 0→o, 1→i, 3→e, 4/@→a, 5/$→s, 7→t, 8→b; the result is split into tokens
 * on anything that is not a letter or a digit. Staff rules (libs/messaging/src/rules) use
 * the same two steps: `foldText` for regexes, `normalizeTokens` for keywords. A word matches when its tokens occur as consecutive tokens of the text
 * (whole words only: `ass` never matches `class`; a word of several tokens is a phrase).
 */

export const MAX_HIDDEN_WORDS = 200;
export const MAX_HIDDEN_WORD_LENGTH = 50;

/**
 * The built-in default list, used while `useDefaultList` is on. Deliberately short: common
 * profanity and abuse aimed at the reader, no slurs (a slur list belongs in staff rules,
 * where it can be reviewed and changed without a deploy). Matched like a user's own words.
 */
export const DEFAULT_HIDDEN_WORDS: readonly string[] = [
  'fuck',
  'fucking',
  'fucker',
  'motherfucker',
  'fuck you',
  'fuck off',
  'shit',
  'bullshit',
  'piece of shit',
  'bitch',
  'bastard',
  'asshole',
  'dickhead',
  'cunt',
  'twat',
  'wanker',
  'prick',
  'slut',
  'whore',
  'stfu',
  'kys',
  'kill yourself',
];

const SUBSTITUTIONS: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '@': 'a',
  '5': 's',
  $: 's',
  '7': 't',
  '8': 'b',
};
// U+034F (combining grapheme joiner) is listed on purpose: it is invisible and splits words.
// eslint-disable-next-line no-misleading-character-class
const ZERO_WIDTH = /[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const COMBINING = /\p{M}/gu;
const LEET = /[013@45$78]/g;
const NOT_WORD = /[^\p{L}\p{N}]+/u;
/** Only worth the replace when a character outside ASCII is present. */
const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * The first step, shared by every matcher: NFKD, accents and zero-width characters removed,
 * lower-cased, look-alike letters folded to Latin. Digits and punctuation are kept, so a
 * staff regex's `\d` still means a digit.
 */
export function foldText(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(COMBINING, '')
    .replace(ZERO_WIDTH, '')
    .toLowerCase()
    .replace(CONFUSABLE_LETTER, (c) => LETTER_CONFUSABLES[c]);
}

/** The second step: leetspeak substitutions on folded text, then tokens (see the file comment). */
export function tokensOfFolded(folded: string): string[] {
  return folded
    .replace(LEET, (c) => SUBSTITUTIONS[c])
    .split(NOT_WORD)
    .filter((t) => t.length > 0);
}

/** The tokens of a text or word after normalisation (see the file comment). */
export function normalizeTokens(text: string): string[] {
  return tokensOfFolded(foldText(text));
}

/** A matcher built once per viewer: compiled word token lists, checked against any number of texts. */
export class HiddenWordMatcher {
  private readonly phrases: string[][];
  private readonly single: Set<string>;

  constructor(words: readonly string[]) {
    const compiled = words.map(normalizeTokens).filter((t) => t.length > 0);
    this.single = new Set(compiled.filter((t) => t.length === 1).map((t) => t[0]));
    this.phrases = compiled.filter((t) => t.length > 1);
  }

  static forSettings(words: readonly string[], useDefaultList: boolean): HiddenWordMatcher {
    return new HiddenWordMatcher(useDefaultList ? [...words, ...DEFAULT_HIDDEN_WORDS] : words);
  }

  get empty(): boolean {
    return this.single.size === 0 && this.phrases.length === 0;
  }

  matches(text: string | null | undefined): boolean {
    if (!text || this.empty) return false;
    const tokens = normalizeTokens(text);
    if (tokens.some((t) => this.single.has(t))) return true;
    return this.phrases.some((p) => {
      for (let i = 0; i + p.length <= tokens.length; i++) {
        if (p.every((w, j) => tokens[i + j] === w)) return true;
      }
      return false;
    });
  }
}

/**
 * Validates a PUT /v1/me/hidden-words list: an array of at most 200 strings, each 1–50
 * characters once trimmed, without control characters, and with at least one letter or
 * digit (a word that normalises to nothing could never match). Returns the trimmed words,
 * exact duplicates dropped, in the order given; or the problems, one entry per bad word.
 */
export function validateHiddenWords(raw: unknown): { words: string[] } | { problems: { field: string; problems: string[] }[] } {
  if (!Array.isArray(raw)) return { problems: [{ field: 'words', problems: ['must be an array of strings'] }] };
  if (raw.length > MAX_HIDDEN_WORDS) return { problems: [{ field: 'words', problems: [`at most ${MAX_HIDDEN_WORDS} words`] }] };
  const problems: { field: string; problems: string[] }[] = [];
  const words: string[] = [];
  raw.forEach((w, i) => {
    const field = `words[${i}]`;
    if (typeof w !== 'string') return problems.push({ field, problems: ['must be a string'] });
    const t = w.trim();
    if (t.length < 1 || t.length > MAX_HIDDEN_WORD_LENGTH)
      return problems.push({ field, problems: [`must be 1-${MAX_HIDDEN_WORD_LENGTH} characters`] });
    if (/[\u0000-\u001f\u007f]/.test(t) || /[\ud800-\udfff]/.test(t.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')))
      return problems.push({ field, problems: ['must not contain control characters or lone surrogates'] });
    if (normalizeTokens(t).length === 0) return problems.push({ field, problems: ['must contain a letter or digit'] });
    if (!words.includes(t)) words.push(t);
  });
  return problems.length ? { problems } : { words };
}
