import * as argon2 from 'argon2';

/** OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
/**
 * PASSWORD_HASH_COST=test (accepted only with NODE_ENV=test, see config.ts): the suite registers
 * thousands of accounts and the production cost made each one ~46 ms of CPU. Hashes stay
 * argon2id and verify() reads the parameters from the hash, so both kinds verify everywhere.
 */
export const ARGON2_TEST_OPTIONS = { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 } as const;
export type PasswordHashCost = 'production' | 'test';

let options: typeof ARGON2_OPTIONS | typeof ARGON2_TEST_OPTIONS = ARGON2_OPTIONS;

/** Called once at boot from the parsed config (createApp). */
export function usePasswordHashCost(cost: PasswordHashCost): void {
  const next = cost === 'test' ? ARGON2_TEST_OPTIONS : ARGON2_OPTIONS;
  if (next !== options) dummyHash = null;
  options = next;
}

/** The argon2 calls behind one object, so a test can count verifications (jest.spyOn needs a writable property). */
export const argon2Calls = {
  hash: (password: string, opts: typeof options) => argon2.hash(password, opts),
  verify: (hash: string, password: string) => argon2.verify(hash, password),
};

export const hashPassword = (password: string) => argon2Calls.hash(password, options);

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2Calls.verify(hash, password);
  } catch {
    return false;
  }
}

/** Verified against when the handle does not exist, so timing does not reveal which handles exist. */
let dummyHash: Promise<string> | null = null;
export const dummyPasswordHash = () => (dummyHash ??= hashPassword('not-a-real-password-' + Math.random()));
