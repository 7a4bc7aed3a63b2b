import { useEffect, useRef, useState, type FormEvent } from 'react';
import { RateLimitedError, type Me } from '@backchannel/client';
import { bc, describeError, unwrap } from './bc';
import { AudienceSetting, HiddenWordsSettings, KeptAtDistance } from './Settings';

/** Polling the export's status: once a second, for at most this many tries before saying it is slow. */
const POLL_MS = 1000;
const POLL_TRIES = 120;
const FILE_NAME = 'backchannel-export.json';

export function Account({ me }: { me: Me }) {
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Account</h1>
      <p>
        Signed in as <strong>@{me.handle}</strong>
      </p>
      <AudienceSetting setting="allowIncoming" initial={me.allowIncoming} />
      <Limits />
      <AudienceSetting setting="allowGroupInvites" initial={me.allowGroupInvites} />
      <HiddenWordsSettings />
      <KeptAtDistance kind="restrict" />
      <KeptAtDistance kind="block" />
      <YourData />
      <DeleteAccount />
    </section>
  );
}

/**
 * "Delete account" (API.md "Your data": DELETE /v1/me): asks for the password to confirm and
 * says what happens; on success the SDK forgets the session and the app shows the sign-in page
 * with a farewell. A wrong password is said in words and changes nothing.
 */
function DeleteAccount() {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await bc.deleteAccount(password);
    } catch (err) {
      setError(
        (err as { code?: string }).code === 'invalid_credentials'
          ? 'That password is not right; your account was not deleted.'
          : describeError(err),
      );
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="delete-account-title" className="delete-account">
      <h2 id="delete-account-title">Delete account</h2>
      <p className="hint">
        Your profile will read “Deleted account”, the messages you sent will be removed for everyone, and you will be signed out everywhere.
        Your handle stays reserved for 30 days. This cannot be undone.
      </p>
      {!open ? (
        <button type="button" className="danger" onClick={() => setOpen(true)}>
          Delete account
        </button>
      ) : (
        <form onSubmit={submit} aria-labelledby="delete-account-title">
          <label>
            Your password
            <input
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <button type="submit" className="danger" disabled={busy || password.length === 0}>
            Delete my account
          </button>
          <button type="button" className="link" onClick={() => setOpen(false)} disabled={busy}>
            Cancel
          </button>
        </form>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}

type LimitsFrom = 'non_followers' | 'recent_followers';
interface LimitsState {
  from: LimitsFrom | null;
  until: string | null;
}

const LIMITS_FROM: Array<{ value: LimitsFrom; label: string }> = [
  { value: 'non_followers', label: "People who don't follow you" },
  { value: 'recent_followers', label: "People who don't follow you or followed you in the last week" },
];
const LIMITS_DAYS = [1, 3, 7, 14, 28];
const fromLabel = (from: LimitsFrom | null) => LIMITS_FROM.find((f) => f.value === from)?.label.toLowerCase() ?? '';
const untilText = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

/**
 * Limits (API.md v1.2): for a while, the people chosen cannot start a conversation with you and
 * their pending requests go to Hidden requests. Turning them off lets new conversations in again;
 * what was hidden stays in Hidden requests. The pile-on breaker may also turn them on.
 */
function Limits() {
  const [limits, setLimits] = useState<LimitsState | null>(null);
  const [from, setFrom] = useState<LimitsFrom>('non_followers');
  const [days, setDays] = useState(7);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    unwrap(bc.api.GET('/v1/me/limits')).then(
      (l) => setLimits(l as LimitsState),
      (err) => setError(describeError(err)),
    );
  }, []);

  const turnOn = async () => {
    setError('');
    setStatus('');
    try {
      const until = new Date(Date.now() + days * 86_400_000 - 60_000).toISOString();
      const l = (await unwrap(bc.api.PUT('/v1/me/limits', { body: { from, until } }))) as LimitsState;
      setLimits(l);
      setStatus(`Limits are on until ${untilText(l.until!)}.`);
    } catch (err) {
      setError(describeError(err));
    }
  };
  const turnOff = async () => {
    setError('');
    setStatus('');
    try {
      await unwrap(bc.api.DELETE('/v1/me/limits'));
      setLimits({ from: null, until: null });
      setStatus('Limits are off. Requests they hid stay in Hidden requests.');
    } catch (err) {
      setError(describeError(err));
    }
  };

  const on = !!limits?.until;
  return (
    <section aria-labelledby="limits-title" className="settings-block">
      <h2 id="limits-title">Limits</h2>
      <p className="hint">
        Getting too many messages from people you don't know? For a while, they can't start new conversations with you, and their requests
        move to Hidden requests.
      </p>
      {on ? (
        <>
          <p>
            On until <strong>{untilText(limits!.until!)}</strong> for {fromLabel(limits!.from)}.
          </p>
          <button type="button" onClick={() => void turnOff()}>
            Turn off Limits
          </button>
        </>
      ) : (
        <form
          className="settings-form"
          onSubmit={(e) => {
            e.preventDefault();
            void turnOn();
          }}
        >
          <label>
            Limit new conversations from
            <select value={from} onChange={(e) => setFrom(e.target.value as LimitsFrom)}>
              {LIMITS_FROM.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            For how long
            <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
              {LIMITS_DAYS.map((d) => (
                <option key={d} value={d}>
                  {d === 1 ? '1 day' : `${d} days`}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary" disabled={!limits}>
            Turn on Limits
          </button>
        </form>
      )}
      <p role="status" aria-live="polite" className="progress">
        {status}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}

type Progress =
  { state: 'idle' } | { state: 'working'; text: string } | { state: 'done' } | { state: 'slow' } | { state: 'error'; text: string };

/**
 * "Download your data" (API.md "Your data"): POST /v1/me/export, poll its status every second
 * (bounded), then fetch the archive with this session's token and save it as a file. A second
 * request within the day is refused (429 with Retry-After): say when they can ask again.
 */
function YourData() {
  const [progress, setProgress] = useState<Progress>({ state: 'idle' });
  // An export asked for but not yet downloaded (polling gave up): a new click resumes it, not a new POST.
  const pending = useRef<string | null>(null);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const run = async () => {
    try {
      setProgress({ state: 'working', text: 'Preparing your archive…' });
      let id = pending.current;
      if (!id) {
        id = (await unwrap(bc.api.POST('/v1/me/export'))).id;
        pending.current = id;
      }
      let ready = false;
      for (let i = 0; i < POLL_TRIES && alive.current; i++) {
        const status = await unwrap(bc.api.GET('/v1/me/export/{id}', { params: { path: { id } } }));
        if (status.status === 'ready') {
          ready = true;
          break;
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      if (!alive.current) return;
      if (!ready) return setProgress({ state: 'slow' });
      setProgress({ state: 'working', text: 'Downloading…' });
      const archive = await unwrap(bc.api.GET('/v1/me/export/{id}/archive', { params: { path: { id } }, parseAs: 'blob' }));
      save(new Blob([archive], { type: 'application/json' }), FILE_NAME);
      pending.current = null;
      if (alive.current) setProgress({ state: 'done' });
    } catch (err) {
      if (alive.current)
        setProgress({ state: 'error', text: err instanceof RateLimitedError ? tryAgain(err.retryAfterSeconds) : describeError(err) });
    }
  };

  return (
    <section aria-labelledby="your-data-title" className="your-data">
      <h2 id="your-data-title">Your data</h2>
      <p className="hint">A copy of your profile, settings, follows, blocks, conversations, reports and notices, as one JSON file.</p>
      <button type="button" className="primary" disabled={progress.state === 'working'} onClick={() => void run()}>
        Download your data
      </button>
      <p role="status" aria-live="polite" className="progress">
        {progress.state === 'working' && progress.text}
        {progress.state === 'done' && 'Downloaded'}
        {progress.state === 'slow' && 'Your archive is still being prepared. Press the button again in a few minutes to download it.'}
      </p>
      {progress.state === 'error' && (
        <p role="alert" className="error">
          {progress.text}
        </p>
      )}
    </section>
  );
}

/** Saves a blob as a file through a temporary <a download>. */
function save(blob: Blob, name: string) {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** "You can download your data once a day. You can ask again in about 23 hours (Sat 4:12 AM)." */
export function tryAgain(seconds: number): string {
  const at = new Date(Date.now() + seconds * 1000);
  const minutes = Math.ceil(seconds / 60);
  const hours = Math.round(seconds / 3600);
  const wait = minutes <= 1 ? 'in a minute' : minutes < 90 ? `in ${minutes} minutes` : `in about ${hours} hour${hours === 1 ? '' : 's'}`;
  const when = at.toLocaleString(undefined, { weekday: 'short', hour: 'numeric', minute: '2-digit' });
  return `You can download your data once a day. You can ask again ${wait} (${when}).`;
}
