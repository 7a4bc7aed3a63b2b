import { JobName } from '../queues';
import {
  largestDuplicateFanout,
  MIN_REQUESTS_FOR_LIMIT,
  normalizeForDuplicates,
  requestLimitFor,
  spamJobFor,
  spamScore,
  type SenderSignals,
} from './spam-score';

const signals = (s: Partial<SenderSignals>): SenderSignals => ({ requestsSent: 0, declined: 0, reported: 0, duplicateTexts: 0, ...s });

describe('normalizeForDuplicates', () => {
  it('reduces texts that differ only by case, digits, links, punctuation and spacing to one string', () => {
    const a = normalizeForDuplicates('WIN a FREE iPhone 15!!  Claim at https://bit.ly/abc123 before 5pm');
    const b = normalizeForDuplicates('win a free iphone 16 - claim at http://tinyurl.com/zz9 before 7pm.');
    const c = normalizeForDuplicates('Win a free iPhone 14 :) claim at promo-site.com/x before 11pm');
    expect(a).toBe('win a free iphone claim at before pm');
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('keeps texts that differ in words apart', () => {
    expect(normalizeForDuplicates('hello, how was the show?')).not.toBe(normalizeForDuplicates('hello, how was the game?'));
  });

  it('treats full-width and other compatibility forms like their plain letters', () => {
    expect(normalizeForDuplicates('ＦＲＥＥ gift')).toBe('free gift');
  });
});

describe('largestDuplicateFanout', () => {
  it('counts distinct recipients of the most widely sent text', () => {
    const sent = [
      { text: 'Free crypto 100x https://a.example/1', recipients: ['u1'] },
      { text: 'free CRYPTO 250x https://b.example/2', recipients: ['u2'] },
      { text: 'Free crypto 9x', recipients: ['u3', 'u4'] },
      { text: 'free crypto', recipients: ['u1'] }, // the same person twice counts once
      { text: 'hey, nice talk today', recipients: ['u5'] },
    ];
    expect(largestDuplicateFanout(sent)).toBe(4);
  });

  it('is 0 when no text went to two people, and ignores texts that are only links or numbers', () => {
    expect(
      largestDuplicateFanout([
        { text: 'hi', recipients: ['u1'] },
        { text: 'yo', recipients: ['u2'] },
      ]),
    ).toBe(0);
    expect(
      largestDuplicateFanout([
        { text: 'https://x.example/1', recipients: ['u1'] },
        { text: '12345', recipients: ['u2'] },
      ]),
    ).toBe(0);
  });
});

describe('spamScore', () => {
  it('weighs reports twice as much as declines and counts copy-paste fan-out beyond two', () => {
    expect(spamScore(signals({ reported: 3, declined: 3, duplicateTexts: 6 }))).toBe(11);
    expect(spamScore(signals({ duplicateTexts: 2 }))).toBe(0);
    expect(spamScore(signals({ duplicateTexts: 3 }))).toBe(0.5);
  });

  it('leaves an ordinary sender well under the default threshold of 5', () => {
    expect(spamScore(signals({ requestsSent: 10, declined: 2 }))).toBeLessThan(5);
  });

  it('puts three spam reports at the default threshold on their own', () => {
    expect(spamScore(signals({ reported: 3 }))).toBeGreaterThanOrEqual(5);
  });
});

describe('requestLimitFor', () => {
  it('keeps the normal budget below the minimum sample, however bad the ratio', () => {
    expect(requestLimitFor(signals({ requestsSent: MIN_REQUESTS_FOR_LIMIT - 1, declined: 3, reported: 3 }))).toEqual({
      factor: 1,
      reason: null,
    });
  });

  it('halves the budget when half the requests are declined', () => {
    const limit = requestLimitFor(signals({ requestsSent: 8, declined: 4 }));
    expect(limit.factor).toBe(0.5);
    expect(limit.reason).toMatch(/4 of 8 message requests declined \(50%\)/);
  });

  it('cuts the budget to a fifth when many requests are reported as spam', () => {
    const limit = requestLimitFor(signals({ requestsSent: 6, declined: 3, reported: 3 }));
    expect(limit.factor).toBe(0.2);
    expect(limit.reason).toMatch(/3 spam report\(s\) \(50%\).*20%/);
  });

  it('does not punish a popular sender for a few declines', () => {
    expect(requestLimitFor(signals({ requestsSent: 100, declined: 10, reported: 1 })).factor).toBe(1);
  });
});

describe('spamJobFor', () => {
  it('collapses every trigger within one second into one delayed job', () => {
    const a = spamJobFor('s1', 1_700_000_000_100);
    const b = spamJobFor('s1', 1_700_000_000_900);
    const c = spamJobFor('s1', 1_700_000_001_000);
    expect(a).toEqual({ name: JobName.ScoreSender, data: { senderId: 's1' }, jobId: 'score-s1-1700000000', delayMs: 1000 });
    expect(b.jobId).toBe(a.jobId);
    expect(c.jobId).not.toBe(a.jobId);
  });
});
