/**
 * Races are tried many times, not once: a burst that interleaves badly one time in five
 * passes a single try most of the time.
 *
 *   await raceRounds(RACE_ROUNDS, async (round) => { ...fresh fixtures, one burst, asserts... });
 *
 * Each round runs after the previous one ends and makes its own fixtures (a fresh
 * conversation, room, action... : cheap ones, so that the file stays quick); a failure is
 * reported with the round that failed. Returns the number of rounds run, so a test can say so.
 */
export const RACE_ROUNDS = 20;

export async function raceRounds(rounds: number, round: (index: number) => Promise<void>): Promise<number> {
  for (let i = 1; i <= rounds; i++) {
    try {
      await round(i);
    } catch (err) {
      const prefix = `race round ${i} of ${rounds} failed: `;
      if (err instanceof Error) {
        const original = err.message;
        err.message = prefix + original;
        if (err.stack && !err.stack.includes(prefix)) err.stack = err.stack.replace(original, err.message);
        throw err;
      }
      throw new Error(prefix + String(err), { cause: err });
    }
  }
  return rounds;
}
