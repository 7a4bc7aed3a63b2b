import { useEffect, useState, type FormEvent } from 'react';
import type { components } from '@backchannel/client';
import { bc, describeError, unwrap } from './bc';

type Statement = components['schemas']['Statement'];
type Appeal = components['schemas']['Appeal'];

/**
 * What a refused sign-in of a suspended or banned account carries (API.md v1.2, 401
 * account_suspended): the appeal-only token, the action keeping the account out (with the policy,
 * severity and strikes it was decided under) and the statement of reasons.
 */
export type KeptOut = components['schemas']['AccountSuspendedDetails'];
type KeptOutAction = NonNullable<KeptOut['action']>;

/** The refusal's details, when the error is a suspended account's sign-in refusal; otherwise null. */
export function keptOutOf(err: unknown): KeptOut | null {
  const e = err as { code?: string; details?: Partial<KeptOut> } | null;
  if (e?.code !== 'account_suspended' || typeof e.details?.appealToken !== 'string') return null;
  return { appealToken: e.details.appealToken, action: e.details.action ?? null, statement: e.details.statement ?? null };
}

/** A severity key in words ("medium" → "Medium"). */
const severityWords = (key: string) => {
  const text = key.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};

/** The policy as people read it: its name, or (an older server, a deleted policy) its key in words. */
const policyWords = (a: KeptOutAction) => a.policyTitle ?? (a.policy ? severityWords(a.policy) : null);

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  });

const ACTION_WORDS: Record<string, string> = {
  suspend: 'Suspension',
  ban: 'Ban',
  restrict_messaging: 'Messaging restriction',
  warn: 'Warning',
  remove_content: 'Content removed',
};

/** What the appeal routes refuse with, said for this screen (the token only lives a short while). */
const APPEAL_SENTENCES: Record<string, string> = {
  already_appealed: 'You have already appealed this decision. A moderator will review it.',
  appeal_window_passed: 'The time to appeal this decision has passed.',
  unauthorized: 'This page was open for too long. Go back to sign in and sign in again to appeal.',
  account_suspended: 'This page was open for too long. Go back to sign in and sign in again to appeal.',
};
const appealError = (err: unknown) => APPEAL_SENTENCES[(err as { code?: string })?.code ?? ''] ?? describeError(err);

/**
 * The screen a suspended or banned person sees instead of the app (issue #32 item 1): why
 * (the statement of reasons from the refusal, or from the notices the appeal token reads), until
 * when, and an appeal form. Every call here goes with the appeal-only token, never a session.
 */
export function Suspended({ keptOut, onBack }: { keptOut: KeptOut; onBack: () => void }) {
  const auth = { headers: { authorization: `Bearer ${keptOut.appealToken}` } };
  const actionId = keptOut.action?.id ?? null;
  const [statement, setStatement] = useState<Statement | null>(keptOut.statement);
  const [appeal, setAppeal] = useState<Appeal | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    let alive = true;
    const mine = unwrap(bc.api.GET('/v1/appeals', auth)).then((page) => {
      if (alive) setAppeal(page.items.find((a) => a.actionId === actionId) ?? null);
    });
    // An older refusal may carry no statement: the notice of the action has it.
    const why = statement
      ? Promise.resolve()
      : unwrap(bc.api.GET('/v1/notices', { ...auth, params: { query: { limit: 50 } } })).then((page) => {
          const n = page.items.find((x) => (x.data as { actionId?: string } | null)?.actionId === actionId && x.statement);
          if (alive && n?.statement) setStatement(n.statement);
        });
    Promise.all([mine, why]).then(
      () => alive && setLoaded(true),
      (err) => {
        if (!alive) return;
        setLoaded(true);
        setError(appealError(err));
      },
    );
    return () => {
      alive = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per refusal
  }, [keptOut.appealToken]);

  // Older servers sent none of the policy fields: each row below shows only when present.
  const action: KeptOutAction | null = keptOut.action ?? null;
  const banned = action?.action === 'ban';
  const endsAt = keptOut.action?.endsAt ?? statement?.endsAt ?? null;
  const appealPossible = !!actionId && statement?.appeal?.possible !== false;
  const appealUntil = statement?.appeal?.until ?? null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!actionId) return;
    setBusy(true);
    setError('');
    try {
      const filed = await unwrap(bc.api.POST('/v1/appeals', { ...auth, body: { actionId, text: text.trim() } }));
      setAppeal(filed);
      setText('');
    } catch (err) {
      setError(appealError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin suspended" aria-labelledby="suspended-title">
      <h1 id="suspended-title">{banned ? 'Your account is banned' : 'Your account is suspended'}</h1>
      <p className="lead">
        {banned
          ? 'You can’t use Backchannel with this account until further notice.'
          : endsAt
            ? `You can’t use Backchannel with this account until ${when(endsAt)}.`
            : 'You can’t use Backchannel with this account until further notice.'}
      </p>

      <section aria-labelledby="statement-title">
        <h2 id="statement-title">Why</h2>
        {statement ? (
          <dl className="statement" aria-label="Statement of reasons">
            <dt>Decision</dt>
            <dd>{ACTION_WORDS[statement.action] ?? statement.action.replace(/_/g, ' ')}</dd>
            <dt>What happened</dt>
            <dd>{statement.facts}</dd>
            <dt>Rule</dt>
            <dd>{statement.ground}</dd>
            {action && policyWords(action) && (
              <>
                <dt>Policy</dt>
                <dd>{policyWords(action)}</dd>
              </>
            )}
            {action?.severity && (
              <>
                <dt>Severity</dt>
                <dd>{severityWords(action.severity)}</dd>
              </>
            )}
            {action && action.strikes > 0 && action.strikesExpireAt && (
              <>
                <dt>Strikes</dt>
                <dd>
                  {action.strikes === 1 ? '1 strike' : `${action.strikes} strikes`} on your account until{' '}
                  <time dateTime={action.strikesExpireAt}>{when(action.strikesExpireAt)}</time>
                </dd>
              </>
            )}
            <dt>Decided</dt>
            <dd>{statement.automated ? 'Automatically' : 'By a moderator'}</dd>
            <dt>Ends</dt>
            <dd>{endsAt && !banned ? <time dateTime={endsAt}>{when(endsAt)}</time> : 'Until further notice'}</dd>
          </dl>
        ) : (
          <p className="hint">{loaded ? 'We couldn’t load the statement of reasons.' : 'Loading the statement of reasons…'}</p>
        )}
      </section>

      <section aria-labelledby="appeal-title">
        <h2 id="appeal-title">Appeal</h2>
        {appeal ? (
          <AppealState appeal={appeal} />
        ) : !loaded ? (
          <p className="hint">Loading…</p>
        ) : appealPossible ? (
          <form onSubmit={submit} aria-labelledby="appeal-title">
            <p className="hint">
              A moderator who did not take this decision will review your appeal.
              {appealUntil ? ` You can appeal until ${when(appealUntil)}.` : ''}
            </p>
            <label>
              Why should this decision be reversed?
              <textarea name="appeal" required maxLength={2000} rows={5} value={text} onChange={(e) => setText(e.target.value)} />
            </label>
            <button type="submit" className="primary" disabled={busy || text.trim().length === 0}>
              Send appeal
            </button>
          </form>
        ) : (
          <p>This decision can no longer be appealed.</p>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </section>

      <p>
        <button type="button" className="link" onClick={onBack}>
          Back to sign in
        </button>
      </p>
    </main>
  );
}

/** An appeal filed: when, what was said, and where it stands. */
function AppealState({ appeal }: { appeal: Appeal }) {
  const state =
    appeal.status === 'open'
      ? 'Waiting for a moderator to review it.'
      : appeal.status === 'upheld'
        ? 'Your appeal was upheld: the decision was reversed. You can sign in again.'
        : 'Your appeal was reviewed and the decision stands.';
  return (
    <div className="appeal-state" role="status" aria-label="Your appeal">
      <p>
        <strong>Appeal sent</strong> on <time dateTime={appeal.createdAt}>{when(appeal.createdAt)}</time>. {state}
      </p>
      <blockquote>{appeal.text}</blockquote>
      {appeal.decisionNote && <p>Moderator’s note: {appeal.decisionNote}</p>}
    </div>
  );
}
