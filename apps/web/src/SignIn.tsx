import { useState, type FormEvent } from 'react';
import type { Me } from '@backchannel/client';
import { bc, describeError } from './bc';
import { keptOutOf, type KeptOut } from './Suspended';

export function SignIn({
  onSignedIn,
  onKeptOut,
  notice = '',
  initialHandle = '',
}: {
  onSignedIn: (me: Me) => Promise<void>;
  /** A suspended or banned account's right password: the refusal's reasons and appeal token. */
  onKeptOut: (k: KeptOut) => void;
  notice?: string;
  initialHandle?: string;
}) {
  const [mode, setMode] = useState<'in' | 'up'>('in');
  const [handle, setHandle] = useState(initialHandle);
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const me =
        mode === 'in' ? await bc.signIn(handle, password) : await bc.signUp({ handle, displayName: displayName || handle, password });
      await onSignedIn(me);
    } catch (err) {
      const keptOut = keptOutOf(err);
      if (keptOut) return onKeptOut(keptOut);
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <h1>Backchannel</h1>
      {notice && (
        <p role="status" className="hint">
          {notice}
        </p>
      )}
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h2 id="signin-title">{mode === 'in' ? 'Sign in' : 'Create an account'}</h2>
        <label>
          Handle
          <input
            name="handle"
            autoComplete="username"
            required
            pattern="[a-z0-9_]{3,30}"
            title="3 to 30 characters: lowercase letters, digits and _"
            aria-describedby={mode === 'up' ? 'handle-rule' : undefined}
            value={handle}
            onChange={(e) => setHandle(e.target.value.toLowerCase())}
          />
        </label>
        {mode === 'up' && (
          <p id="handle-rule" className="hint">
            Your handle is how people find you: 3 to 30 characters, lowercase letters, digits and _ (it can’t be changed later).
          </p>
        )}
        {mode === 'up' && (
          <label>
            Display name
            <input name="displayName" autoComplete="nickname" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
          </label>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'in' ? 'current-password' : 'new-password'}
            required
            minLength={mode === 'up' ? 10 : 1}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {mode === 'in' ? 'Sign in' : 'Sign up'}
        </button>
      </form>
      <p>
        {mode === 'in' ? 'New here? ' : 'Have an account? '}
        <button type="button" className="link" onClick={() => setMode(mode === 'in' ? 'up' : 'in')}>
          {mode === 'in' ? 'Create an account' : 'Sign in instead'}
        </button>
      </p>
    </main>
  );
}
