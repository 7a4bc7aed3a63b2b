import { useState } from 'react';
import { bc, describeError, unwrap } from './bc';

export const REPORT_REASONS = ['spam', 'harassment', 'hate', 'violence', 'self_harm', 'scam', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];
type Subject = 'message' | 'user' | 'conversation';

/**
 * Report a message, a person or a conversation (POST /v1/reports), optionally blocking the
 * person too (`block: true` blocks the sender / the other member, API.md "Reports").
 */
export function ReportForm({
  subjectType,
  subjectId,
  label,
  onDone,
}: {
  subjectType: Subject;
  subjectId: string;
  label: string;
  onDone?: (r: { reason: ReportReason; blocked: boolean }) => void;
}) {
  const [reason, setReason] = useState<ReportReason>('spam');
  const [alsoBlock, setAlsoBlock] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  return (
    <form
      className="report"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        setError('');
        unwrap(bc.api.POST('/v1/reports', { body: { subjectType, subjectId, reason, block: alsoBlock } })).then(
          () => {
            setStatus(
              alsoBlock
                ? 'Reported and blocked. Thank you: moderators will look at it.'
                : 'Reported. Thank you: moderators will look at it.',
            );
            onDone?.({ reason, blocked: alsoBlock });
          },
          (err) => setError(describeError(err)),
        );
      }}
    >
      <label>
        Reason
        <select value={reason} onChange={(e) => setReason(e.target.value as ReportReason)}>
          {REPORT_REASONS.map((r) => (
            <option key={r} value={r}>
              {r.replace('_', ' ')}
            </option>
          ))}
        </select>
      </label>
      <label className="check">
        <input type="checkbox" checked={alsoBlock} onChange={(e) => setAlsoBlock(e.target.checked)} /> Also block them
      </label>
      <button type="submit" disabled={!!status}>
        Send report
      </button>
      {status && (
        <span role="status" className="status">
          {status}
        </span>
      )}
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </form>
  );
}

/** The conversation header's Block / Unblock, Restrict / Unrestrict and Report… for the other person of a direct conversation. */
export function PersonActions({ userId, name }: { userId: string; name: string }) {
  const [reporting, setReporting] = useState(false);
  const [blocked, setBlocked] = useState(false);
  const [restricted, setRestricted] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  /** Restrict (API.md v1.1): they are not told; undone here or in Account → Restricted people. */
  const toggleRestrict = async () => {
    setError('');
    try {
      if (restricted) await unwrap(bc.api.DELETE('/v1/users/{id}/restrict', { params: { path: { id: userId } } }));
      else await unwrap(bc.api.PUT('/v1/users/{id}/restrict', { params: { path: { id: userId } } }));
      setStatus(
        restricted
          ? `You unrestricted ${name}.`
          : `You restricted ${name}. New conversations they start arrive as requests, and they won’t see when you’ve read their messages. They aren’t told.`,
      );
      setRestricted(!restricted);
    } catch (err) {
      setError(describeError(err));
    }
  };
  const toggleBlock = async () => {
    setError('');
    try {
      if (blocked) await unwrap(bc.api.DELETE('/v1/users/{id}/block', { params: { path: { id: userId } } }));
      else await unwrap(bc.api.PUT('/v1/users/{id}/block', { params: { path: { id: userId } } }));
      setStatus(blocked ? `You unblocked ${name}.` : `You blocked ${name}. They can’t message you, and won’t be told.`);
      setBlocked(!blocked);
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <div className="person-actions" role="group" aria-label={`${name}: block or report`}>
      <button type="button" onClick={() => void toggleBlock()}>
        {blocked ? 'Unblock' : 'Block'}
      </button>
      <button type="button" onClick={() => void toggleRestrict()}>
        {restricted ? 'Unrestrict' : 'Restrict'}
      </button>
      <button type="button" aria-expanded={reporting} onClick={() => setReporting(!reporting)}>
        Report…
      </button>
      {reporting && (
        <ReportForm
          subjectType="user"
          subjectId={userId}
          label={`Report ${name}`}
          onDone={(r) => {
            if (r.blocked) setBlocked(true);
          }}
        />
      )}
      {status && (
        <span role="status" className="status">
          {status}
        </span>
      )}
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </div>
  );
}
