import { JobName, type OutboxJob } from '../queues';

/** The signals the spam scorer reads for one sender (see SpamScoreService.score). */
export interface SenderSignals {
  /** Conversations the sender started where another member is, or was, a pending recipient. */
  requestsSent: number;
  /** Of those, how many a recipient declined. */
  declined: number;
  /** Distinct users who reported the sender (or their messages/requests) as spam or scam. */
  reported: number;
  /** The most strangers who received one near-identical text in the last 24 h (0 below 2). */
  duplicateTexts: number;
}

/**
 * score = 2 × reported          a stranger took the time to say "this is spam"
 *       + 1 × declined          a stranger said "no thanks"
 *       + 0.5 × max(0, duplicateTexts − 2)
 *                               the same text pasted to many strangers (two is a coincidence)
 * Rounded to two decimals. With the default threshold of 5, three spam reports are enough on
 * their own, five declines are, and so are twelve strangers who got the same text; one
 * decline of a friendly request is not.
 */
export function spamScore(s: SenderSignals): number {
  const raw = 2 * s.reported + s.declined + 0.5 * Math.max(0, s.duplicateTexts - 2);
  return Math.round(raw * 100) / 100;
}

export interface RequestLimit {
  factor: number;
  /** Why, in words staff read in the spam queue and the audit log; null at factor 1. */
  reason: string | null;
}

/** Below this many requests a ratio says nothing yet. */
export const MIN_REQUESTS_FOR_LIMIT = 4;

/**
 * The tighter request budget for senders whose requests are declined or reported again and
 * again: the daily request limit is multiplied by the factor (1 → 0.5 → 0.2). Ratios, not
 * counts, so a popular sender with many accepted requests is not punished for a few
 * declines; a minimum sample, so two unlucky requests are not a pattern.
 */
export function requestLimitFor(s: SenderSignals): RequestLimit {
  if (s.requestsSent < MIN_REQUESTS_FOR_LIMIT) return { factor: 1, reason: null };
  const declinedRatio = s.declined / s.requestsSent;
  const reportedRatio = s.reported / s.requestsSent;
  const pct = (r: number) => `${Math.round(r * 100)}%`;
  const why = `${s.declined} of ${s.requestsSent} message requests declined (${pct(declinedRatio)}), ${s.reported} spam report(s) (${pct(reportedRatio)})`;
  if ((s.reported >= 3 && reportedRatio >= 0.3) || (s.declined >= 8 && declinedRatio >= 0.8)) {
    return { factor: 0.2, reason: `${why}: request limit cut to 20%` };
  }
  if ((s.reported >= 2 && reportedRatio >= 0.15) || (s.declined >= 4 && declinedRatio >= 0.5)) {
    return { factor: 0.5, reason: `${why}: request limit cut to 50%` };
  }
  return { factor: 1, reason: null };
}

const URL_RE = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:\/\S*)?/gi;

/**
 * Spam templates vary by a name, a number or a link; this reduces two of them to the same
 * string: lower-case, links and digits gone, punctuation to spaces, whitespace collapsed.
 */
export function normalizeForDuplicates(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(URL_RE, ' ')
    .replace(/\p{N}+/gu, ' ')
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The most distinct recipients that got one normalised text (texts that normalise to nothing are ignored). */
export function largestDuplicateFanout(sent: ReadonlyArray<{ text: string; recipients: ReadonlyArray<string> }>): number {
  const byText = new Map<string, Set<string>>();
  for (const { text, recipients } of sent) {
    const key = normalizeForDuplicates(text);
    if (!key) continue;
    const set = byText.get(key) ?? new Set<string>();
    for (const r of recipients) set.add(r);
    byText.set(key, set);
  }
  let max = 0;
  for (const set of byText.values()) max = Math.max(max, set.size);
  return max >= 2 ? max : 0;
}

/** How long a burst of triggers is collapsed into one scoring run. */
export const SCORE_DEBOUNCE_MS = 1000;

/**
 * The ScoreSender job to enqueue (through the outbox) after a request is created, declined
 * or reported. Every trigger within the same second shares a jobId, and the job runs one
 * second later, so it always sees every trigger of its second: a burst costs one run.
 */
export function spamJobFor(senderId: string, now = Date.now()): OutboxJob {
  return {
    name: JobName.ScoreSender,
    data: { senderId },
    jobId: `score-${senderId}-${Math.floor(now / SCORE_DEBOUNCE_MS)}`,
    delayMs: SCORE_DEBOUNCE_MS,
  };
}
