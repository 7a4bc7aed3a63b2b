import { useEffect, useState } from 'react';
import type { Notice } from '@backchannel/client';
import { bc, describeError, unwrap } from './bc';
import { store, useStore } from './store';
import { markNoticesSeen } from './badges';

export function Notices() {
  const s = useStore();
  const [error, setError] = useState('');
  // Open here, what is listed is seen (also each one that arrives while it is open).
  useEffect(() => markNoticesSeen(), [s.notices.length]);
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

/** Headings people read; a kind not listed here is shown by its name. */
const TITLES: Record<string, string> = {
  report_received: 'Report received',
  report_outcome: 'About your report',
  warning: 'Warning',
  enforcement: 'Action on your account',
  appeal_decision: 'Your appeal',
  content_removed: 'Content removed',
  action_lifted: 'Action lifted',
  action_ended: 'Action ended',
  case_message: 'Message from the team',
  protection: 'Protection',
};

/**
 * The pile-on breaker's notice (action limits_enabled): Limits were turned on for this person's
 * own protection. Not an action against them: no statement, nothing to appeal; it says until
 * when and where to change it.
 */
function LimitsEnabled({ notice }: { notice: Notice }) {
  const data = (notice.data ?? {}) as { limits?: { until?: string }; requests?: number; windowMinutes?: number };
  const until = data.limits?.until;
  return (
    <li className="notice" aria-label="Limits turned on">
      <p>
        <strong>Limits turned on for you</strong> · <time dateTime={notice.createdAt}>{new Date(notice.createdAt).toLocaleString()}</time>
      </p>
      <p>{notice.text}</p>
      <dl className="statement">
        {data.requests !== undefined && (
          <>
            <dt>What happened</dt>
            <dd>
              {data.requests} message requests in {data.windowMinutes} minutes
            </dd>
          </>
        )}
        {until && (
          <>
            <dt>Until</dt>
            <dd>{new Date(until).toLocaleString()}</dd>
          </>
        )}
      </dl>
      <p>
        <a href="#/account">Change or turn off Limits</a> · <a href="#/hidden">See hidden requests</a>
      </p>
    </li>
  );
}

function NoticeItem({ notice }: { notice: Notice }) {
  if (notice.action === 'limits_enabled') return <LimitsEnabled notice={notice} />;
  // v1.1 statement of reasons; shown when the server sends it (older notices have none).
  const statement = notice.statement ?? null;
  const data = (notice.data ?? {}) as { actionId?: string; appealable?: boolean };
  const canAppeal = !!data.actionId && (statement?.appeal?.possible ?? data.appealable === true);
  return (
    <li className="notice">
      <p>
        <strong>{TITLES[notice.kind] ?? notice.kind.replace(/_/g, ' ')}</strong> ·{' '}
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
