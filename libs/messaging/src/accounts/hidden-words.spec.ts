import { HiddenWordMatcher, foldText, normalizeTokens, validateHiddenWords } from './hidden-words';
import { LETTER_CONFUSABLES } from '../text/confusables';

describe('hidden words: normaliser', () => {
  it('folds case, accents, zero-width characters and look-alikes, and splits on non-letters', () => {
    expect(normalizeTokens('H3ll0, IDIOT!')).toEqual(['hello', 'idiot']);
    expect(normalizeTokens('ÍDÌÖT')).toEqual(['idiot']);
    expect(normalizeTokens('id\u200biot')).toEqual(['idiot']);
    expect(normalizeTokens('$tup1d @55')).toEqual(['stupid', 'ass']);
    expect(normalizeTokens('４５')).toEqual(['as']); // NFKD folds full-width digits first
  });
});

describe('hidden words: matcher', () => {
  const m = new HiddenWordMatcher(['idiot', 'ass', 'go away']);
  it('matches whole words ignoring case, accents and look-alikes, in the text and the word alike', () => {
    expect(m.matches('h3ll0 IDIOT')).toBe(true);
    expect(m.matches('you 1d10t')).toBe(true);
    expect(m.matches('ídïöt.')).toBe(true);
    expect(new HiddenWordMatcher(['1d10t']).matches('IDIOT')).toBe(true);
  });
  it('matches whole words only: `ass` matches neither `class` nor `assess`', () => {
    expect(m.matches('first class assessment')).toBe(false);
    expect(m.matches('what an @$$')).toBe(true);
    expect(m.matches('idiots')).toBe(false);
  });
  it('a word of several tokens matches as a consecutive phrase', () => {
    expect(m.matches('please GO  away now')).toBe(true);
    expect(m.matches('go, then away')).toBe(false);
  });
  it('the default list applies only while useDefaultList is on', () => {
    expect(HiddenWordMatcher.forSettings([], true).matches('sh1t happens')).toBe(true);
    expect(HiddenWordMatcher.forSettings([], false).matches('sh1t happens')).toBe(false);
    expect(HiddenWordMatcher.forSettings([], false).matches(null)).toBe(false);
  });
});

describe('hidden words: validation', () => {
  it('accepts up to 200 words of 1-50 characters, trimmed and de-duplicated', () => {
    expect(validateHiddenWords([' idiot ', 'idiot', 'go away'])).toEqual({ words: ['idiot', 'go away'] });
    expect(validateHiddenWords(Array.from({ length: 200 }, (_, i) => `w${i}`))).toHaveProperty('words');
  });
  it('refuses non-arrays, more than 200 words, empty, too long, control characters and words without letters', () => {
    expect(validateHiddenWords('idiot')).toHaveProperty('problems');
    expect(validateHiddenWords(Array.from({ length: 201 }, (_, i) => `w${i}`))).toHaveProperty('problems');
    expect(validateHiddenWords([''])).toEqual({ problems: [{ field: 'words[0]', problems: ['must be 1-50 characters'] }] });
    expect(validateHiddenWords(['x'.repeat(51)])).toHaveProperty('problems');
    expect(validateHiddenWords(['a\u0000b'])).toHaveProperty('problems');
    expect(validateHiddenWords(['!!!'])).toHaveProperty('problems');
    expect(validateHiddenWords([1])).toHaveProperty('problems');
  });
});

describe('one look-alike table (text/confusables.ts) for hidden words and link hosts', () => {
  it('folds every look-alike letter the link rules know to its Latin letter', () => {
    for (const [letter, latin] of Object.entries(LETTER_CONFUSABLES)) expect([letter, foldText(letter)]).toEqual([letter, latin]);
  });

  it('so an Armenian or Latin-extended look-alike (once only a link check) is caught in a hidden word', () => {
    const m = new HiddenWordMatcher(['idiot']);
    expect(m.matches('what an ɪdіօt')).toBe(true);
  });
});
