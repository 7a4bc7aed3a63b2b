import { searchCostProblem, SEARCH_MAX_OR, SEARCH_MAX_WORDS } from './message-search.service';

describe('searchCostProblem', () => {
  it('counts `or` between words in any case as an alternative, but not inside a word', () => {
    expect(searchCostProblem(Array.from({ length: SEARCH_MAX_OR + 1 }, (_, i) => `w${i}`).join(' OR '))).toBeNull();
    expect(searchCostProblem(Array.from({ length: SEARCH_MAX_OR + 2 }, (_, i) => `w${i}`).join(' or '))).toBe(
      `at most ${SEARCH_MAX_OR} ORs`,
    );
    expect(searchCostProblem('oregon orbit ordinary sailor')).toBeNull();
  });

  it('counts words as runs of letters or digits, quoted and negated ones included', () => {
    expect(searchCostProblem(Array.from({ length: SEARCH_MAX_WORDS }, (_, i) => `wörd${i}`).join(' '))).toBeNull();
    expect(searchCostProblem(`"a b c d" -e ${Array.from({ length: SEARCH_MAX_WORDS - 4 }, (_, i) => `x${i}`).join(' ')}`)).toBe(
      `at most ${SEARCH_MAX_WORDS} words`,
    );
  });
});
