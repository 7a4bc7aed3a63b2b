import { useEffect, useState, type FormEvent } from 'react';
import type { Me, components } from '@backchannel/client';
import { bc, describeError, unwrap } from './bc';

type Person = components['schemas']['KeptAtDistance'];

/** The settings that say who may reach me; each is 'all', 'following' or 'none'. */
type AudienceKey = 'allowIncoming' | 'allowGroupInvites';
type Audience = Me[AudienceKey];

const AUDIENCE_SETTINGS: Record<AudienceKey, { title: string; label: string; options: Array<{ value: Audience; label: string }> }> = {
  allowIncoming: {
    title: 'Who can message you',
    label: 'Who can start a conversation with you',
    options: [
      { value: 'all', label: 'Everyone (people you don’t follow arrive as requests)' },
      { value: 'following', label: 'Only people you follow' },
      { value: 'none', label: 'Nobody can start a new conversation' },
    ],
  },
  allowGroupInvites: {
    title: 'Group invitations',
    label: 'Who can add you to groups',
    options: [
      { value: 'all', label: 'Everyone' },
      { value: 'following', label: 'Only people you follow' },
      { value: 'none', label: 'Nobody' },
    ],
  },
};

/** Who may start a conversation with me, or add me to a group (PATCH /v1/me/settings); saved on change. */
export function AudienceSetting({ setting, initial }: { setting: AudienceKey; initial: Audience }) {
  const { title, label, options } = AUDIENCE_SETTINGS[setting];
  const [value, setValue] = useState<Audience>(initial ?? 'all');
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  // The session's copy of me may predate a change made on another device: ask the server.
  useEffect(() => {
    unwrap(bc.api.GET('/v1/me')).then(
      (me) => setValue(me[setting]),
      () => undefined,
    );
  }, [setting]);
  const change = async (next: Audience) => {
    const before = value;
    setValue(next);
    setError('');
    setStatus('');
    try {
      const me = await unwrap(bc.api.PATCH('/v1/me/settings', { body: { [setting]: next } }));
      setValue(me[setting]);
      setStatus('Saved');
    } catch (err) {
      setValue(before);
      setError(describeError(err));
    }
  };
  const titleId = `${setting}-title`;
  return (
    <section aria-labelledby={titleId} className="settings-block">
      <h2 id={titleId}>{title}</h2>
      <label>
        {label}
        <select value={value} onChange={(e) => void change(e.target.value as Audience)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
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

/** One word or phrase a line (commas also separate); blank lines dropped, each once. */
const toWords = (text: string) => [
  ...new Set(
    text
      .split(/[\n,]+/)
      .map((w) => w.trim())
      .filter(Boolean),
  ),
];

/**
 * Hidden words (GET / PUT /v1/me/hidden-words): requests containing one of them, or a word of
 * the built-in list while that switch is on, go to Hidden requests instead of Requests.
 */
export function HiddenWordsSettings() {
  const [text, setText] = useState('');
  const [useDefaultList, setUseDefaultList] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    unwrap(bc.api.GET('/v1/me/hidden-words')).then(
      (h) => {
        setText(h.words.join('\n'));
        setUseDefaultList(h.useDefaultList);
        setLoaded(true);
      },
      (err) => setError(describeError(err)),
    );
  }, []);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setStatus('');
    const words = toWords(text);
    if (words.length > 200) return setError('You can hide at most 200 words.');
    const tooLong = words.find((w) => w.length > 50);
    if (tooLong) return setError(`“${tooLong.slice(0, 20)}…” is too long: a word or phrase can have at most 50 characters.`);
    try {
      const h = await unwrap(bc.api.PUT('/v1/me/hidden-words', { body: { words, useDefaultList } }));
      setText(h.words.join('\n'));
      setUseDefaultList(h.useDefaultList);
      setStatus(h.words.length === 1 ? 'Saved: 1 hidden word.' : `Saved: ${h.words.length} hidden words.`);
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <section aria-labelledby="hidden-words-title" className="settings-block">
      <h2 id="hidden-words-title">Hidden words</h2>
      <p className="hint">
        Message requests that contain these words go to Hidden requests instead of Requests. Matching ignores case, accents and look-alike
        characters such as 0 for o.
      </p>
      <form onSubmit={save} className="settings-form" aria-labelledby="hidden-words-title">
        <label>
          Your hidden words (one a line)
          <textarea name="hidden-words" rows={4} value={text} disabled={!loaded} onChange={(e) => setText(e.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" checked={useDefaultList} disabled={!loaded} onChange={(e) => setUseDefaultList(e.target.checked)} /> Also
          hide requests with common insults and profanity (our built-in list)
        </label>
        <button type="submit" className="primary" disabled={!loaded}>
          Save hidden words
        </button>
      </form>
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

const KINDS = {
  block: {
    title: 'Blocked people',
    hint: 'They can’t message you or add you to groups, and they are not told.',
    undo: 'Unblock',
    undone: (n: string) => `You unblocked ${n}.`,
    again: 'Block again',
    empty: 'You haven’t blocked anyone.',
  },
  restrict: {
    title: 'Restricted people',
    hint: 'Conversations they start arrive as requests, and they don’t see when you have read their messages or are typing.',
    undo: 'Unrestrict',
    undone: (n: string) => `You unrestricted ${n}.`,
    again: 'Restrict again',
    empty: 'You haven’t restricted anyone.',
  },
} as const;

const nameOf = (p: Person) => (p.handle ? `${p.displayName} (@${p.handle})` : p.displayName);

/**
 * The people I block or restrict (GET /v1/me/blocks, /v1/me/restricted), each with a button to
 * undo it; after an undo, the person stays listed for a moment with a button to do it again.
 */
export function KeptAtDistance({ kind }: { kind: keyof typeof KINDS }) {
  const k = KINDS[kind];
  const [people, setPeople] = useState<Person[] | null>(null);
  const [undone, setUndone] = useState<Set<string>>(new Set());
  const [more, setMore] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  const load = async (cursor?: string) => {
    try {
      const query = { params: { query: cursor ? { cursor, limit: 50 } : { limit: 50 } } };
      const page = await unwrap(kind === 'block' ? bc.api.GET('/v1/me/blocks', query) : bc.api.GET('/v1/me/restricted', query));
      setPeople((before) => [...(cursor ? (before ?? []) : []), ...page.items]);
      setMore(page.nextCursor);
    } catch (err) {
      setError(describeError(err));
    }
  };
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per list
  }, [kind]);

  const toggle = async (p: Person, undo: boolean) => {
    setError('');
    const params = { params: { path: { id: p.id } } };
    try {
      if (kind === 'block') await unwrap(undo ? bc.api.DELETE('/v1/users/{id}/block', params) : bc.api.PUT('/v1/users/{id}/block', params));
      else await unwrap(undo ? bc.api.DELETE('/v1/users/{id}/restrict', params) : bc.api.PUT('/v1/users/{id}/restrict', params));
      const next = new Set(undone);
      if (undo) next.add(p.id);
      else next.delete(p.id);
      setUndone(next);
      setStatus(undo ? k.undone(nameOf(p)) : '');
    } catch (err) {
      setError(describeError(err));
    }
  };

  const titleId = `${kind}-list-title`;
  return (
    <section aria-labelledby={titleId} className="settings-block">
      <h2 id={titleId}>{k.title}</h2>
      <p className="hint">{k.hint}</p>
      {people && people.length === 0 && <p className="empty">{k.empty}</p>}
      <ul className="members" aria-labelledby={titleId}>
        {(people ?? []).map((p) => (
          <li key={p.id} className="member">
            <span className="name">{p.displayName}</span> {p.handle && <span className="handle">@{p.handle}</span>}{' '}
            {undone.has(p.id) ? (
              <button type="button" onClick={() => void toggle(p, false)} aria-label={`${k.again}: ${nameOf(p)}`}>
                {k.again}
              </button>
            ) : (
              <button type="button" onClick={() => void toggle(p, true)} aria-label={`${k.undo} ${nameOf(p)}`}>
                {k.undo}
              </button>
            )}
          </li>
        ))}
      </ul>
      {more && (
        <button type="button" className="link" onClick={() => void load(more)}>
          Show more
        </button>
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
