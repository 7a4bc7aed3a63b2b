import { useEffect, useState } from 'react';
import type { Notice } from '@backchannel/client';
import { bc, describeError, unwrap } from './bc';
import { store, useStore } from './store';

export function Notices() {
  const s = useStore();
  const [error, setError] = useState('');
  useEffect(() => {
    unwrap(bc.api.GET('/v1/notices', { params: { query: { limit: 50 } } })).then(
      (page) => {
        const known = new Set(store.notices.map((n) => n.id));
        store.notices = [...store.notices, ...page.items.filter((n) => !known.has(n.id))].sort((a, b) =>
          b.createdAt.localeCompare(a.createdAt),
        );
        store.changed();
      },
      (err) => setError(describeError(err)),
    );
  }, []);
  return (
    <section aria-labelledby="notices-title">
      <h1 id="notices-title">Notices</h1>
      <p className="hint">What the moderators tell you: outcomes of your reports and actions on your account.</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {s.notices.length === 0 && <p className="empty">No notices.</p>}
      <ul className="notices">
        {s.notices.map((n) => (
          <NoticeItem key={n.id} notice={n} />
        ))}
      </ul>
    </section>
  );
}

function NoticeItem({ notice }: { notice: Notice }) {
  // v1.1 statement of reasons; shown when the server sends it (older notices have none).
  const statement = notice.statement ?? null;
  const data = (notice.data ?? {}) as { actionId?: string; appealable?: boolean };
  const canAppeal = !!data.actionId && (statement?.appeal?.possible ?? data.appealable === true);
  return (
    <li className="notice">
      <p>
        <strong>{notice.kind.replace(/_/g, ' ')}</strong> ·{' '}
        <time dateTime={notice.createdAt}>{new Date(notice.createdAt).toLocaleString()}</time>
      </p>
      <p>{notice.text}</p>
      {statement && (
        <dl className="statement">
          {statement.action && (
            <>
              <dt>Action</dt>
              <dd>{statement.action}</dd>
            </>
          )}
          {statement.facts && (
            <>
              <dt>What happened</dt>
              <dd>{statement.facts}</dd>
            </>
          )}
          {statement.ground && (
            <>
              <dt>Why</dt>
              <dd>{statement.ground}</dd>
            </>
          )}
          <dt>Decided</dt>
          <dd>{statement.automated ? 'automatically' : 'by a moderator'}</dd>
          {statement.endsAt && (
            <>
              <dt>Until</dt>
              <dd>{new Date(statement.endsAt).toLocaleString()}</dd>
            </>
          )}
          {statement.appeal && (
            <>
              <dt>Appeal</dt>
              <dd>
                {statement.appeal.possible
                  ? `possible${statement.appeal.until ? ` until ${new Date(statement.appeal.until).toLocaleString()}` : ''}`
                  : 'not possible'}
              </dd>
            </>
          )}
        </dl>
      )}
      {canAppeal && <AppealForm actionId={data.actionId!} />}
    </li>
  );
}

function AppealForm({ actionId }: { actionId: string }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [status, setStatus] = useState('');
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Appeal this decision
      </button>
    );
  return (
    <form
      className="appeal"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await unwrap(bc.api.POST('/v1/appeals', { body: { actionId, text } }));
          setStatus('Appeal sent. A moderator will review it.');
          setText('');
        } catch (err) {
          setStatus(describeError(err));
        }
      }}
    >
      <label>
        Why should this be reversed?
        <textarea required maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="submit">Send appeal</button>
      {status && <p role="status">{status}</p>}
    </form>
  );
}
