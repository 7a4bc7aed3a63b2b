import { withDeadlockRetry } from './db.service';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

/** A unit of work that fails with these errors, in order, then answers 'done'. */
function failing(...errors: Error[]) {
  let calls = 0;
  const fn = async () => {
    const err = errors[calls++];
    if (err) throw err;
    return 'done';
  };
  return { fn, calls: () => calls };
}

describe('withDeadlockRetry', () => {
  it('runs a unit of work that PostgreSQL aborted as a deadlock victim or serialization failure again', async () => {
    const work = failing(pgError('40P01'), pgError('40001'));
    await expect(withDeadlockRetry(work.fn)).resolves.toBe('done');
    expect(work.calls()).toBe(3);
  });

  it('gives up after `attempts` tries in all and throws the last error', async () => {
    const work = failing(pgError('40P01'), pgError('40P01'), pgError('40001'), pgError('40P01'), pgError('40P01'));
    await expect(withDeadlockRetry(work.fn, 4)).rejects.toMatchObject({ code: '40P01' });
    expect(work.calls()).toBe(4);
  });

  it('never retries any other error (a unique violation is an answer, not a turn to wait)', async () => {
    const work = failing(pgError('23505'));
    await expect(withDeadlockRetry(work.fn)).rejects.toMatchObject({ code: '23505' });
    expect(work.calls()).toBe(1);
  });
});
