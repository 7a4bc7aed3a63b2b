/**
 * Letters from other scripts drawn like Latin ones, each folded to the Latin letter it imitates:
 * a small subset of Unicode's confusables.txt (Cyrillic, Greek, Armenian, Latin-extended), the
 * one table every look-alike check uses: link-rules.ts (brand look-alike hosts) and
 * accounts/hidden-words.ts (hidden words). Lower-case keys; ASCII digit and leetspeak swaps
 * are each caller's own (a host and a word fold digits differently).
 */
export const LETTER_CONFUSABLES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a',
  с: 'c',
  ԁ: 'd',
  е: 'e',
  һ: 'h',
  і: 'i',
  ј: 'j',
  к: 'k',
  ӏ: 'l',
  м: 'm',
  п: 'n',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  г: 'r',
  ѕ: 's',
  т: 't',
  у: 'y',
  ԝ: 'w',
  х: 'x',
  ь: 'b',
  в: 'b',
  ё: 'e',
  н: 'h',
  ї: 'i',
  ү: 'y',
  // Greek
  α: 'a',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  β: 'b',
  // Armenian
  օ: 'o',
  ո: 'n',
  ս: 'u',
  հ: 'h',
  զ: 'q',
  ց: 'g',
  // Latin
  ı: 'i',
  ɩ: 'i',
  ɑ: 'a',
  ɡ: 'g',
  ʏ: 'y',
  ɴ: 'n',
  ɪ: 'i',
};

/** A character class matching any key of LETTER_CONFUSABLES (global). */
export const CONFUSABLE_LETTER = new RegExp(`[${Object.keys(LETTER_CONFUSABLES).join('')}]`, 'g');
