import { useState, type FormEvent } from 'react';
import type { Conversation, Me, components } from '@backchannel/client';
import { bc, describeError, unwrap } from './bc';
import { store } from './store';
import { go } from './route';

type Profile = components['schemas']['User'];
type Member = Conversation['members'][number];

/** API.md: a conversation has at most 15 members in all, its creator included. */
export const GROUP_MAX = 15;

/** "@bob, carol dan" → ["bob", "carol", "dan"]: handles separated by commas, spaces or new lines, each once. */
export function parseHandles(text: string): string[] {
  const all = text
    .split(/[\s,;]+/)
    .map((h) => h.trim().replace(/^@/, '').toLowerCase())
    .filter(Boolean);
  return [...new Set(all)];
}

/** Each handle's profile (GET /v1/users?handle=), and the handles nobody has. */
async function lookUp(handles: string[]): Promise<{ found: Profile[]; missing: string[] }> {
  const results = await Promise.all(
    handles.map(async (handle) => ({
      handle,
      user: (await unwrap(bc.api.GET('/v1/users', { params: { query: { handle } } }))).items[0] as Profile | undefined,
    })),
  );
  return {
    found: results.flatMap((r) => (r.user ? [r.user] : [])),
    missing: results.filter((r) => !r.user).map((r) => r.handle),
  };
}

const nobodyCalled = (missing: string[]) =>
  missing.length === 1 ? `Nobody is called @${missing[0]}.` : `Nobody is called ${missing.map((h) => `@${h}`).join(', ')}.`;

/** The rules that refuse adding people, said for a group (the server's sentences speak of one person). */
function groupError(err: unknown): string {
  switch ((err as { code?: string })?.code) {
    case 'recipient_not_accepting':
      return 'Someone you chose doesn’t accept group invitations from you.';
    case 'blocked':
      return 'You can’t put people in one group when one of them has blocked the other.';
    case 'messaging_restricted':
      return 'You can’t start conversations or add people right now: moderators restricted your messaging.';
    case 'conversation_locked':
      return 'Moderators locked this group: nobody can add people until it is unlocked.';
    default:
      return describeError(err);
  }
}

/** "New group": a title and up to 14 other people by handle (POST /v1/conversations with two or more participants). */
export function NewGroup({ me }: { me: Me }) {
  const [title, setTitle] = useState('');
  const [handles, setHandles] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    const wanted = parseHandles(handles).filter((h) => h !== me.handle);
    if (wanted.length < 2) return setError('A group needs at least two other people. For one person, start a chat instead.');
    if (wanted.length > GROUP_MAX - 1) return setError(`A group can have at most ${GROUP_MAX} people, you included: remove a few handles.`);
    setBusy(true);
    try {
      const { found, missing } = await lookUp(wanted);
      if (missing.length) return setError(nobodyCalled(missing));
      const body = { participantIds: found.map((u) => u.id), ...(title.trim() ? { title: title.trim() } : {}) };
      const c = await unwrap(bc.api.POST('/v1/conversations', { body }));
      store.upsertConversation(c);
      store.changed();
      go(`#/c/${c.id}`);
    } catch (err) {
      setError(groupError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="new-group-title" className="settings-block">
      <h2 id="new-group-title">New group</h2>
      <form onSubmit={submit} className="settings-form" aria-labelledby="new-group-title">
        <label>
          Group name (optional)
          <input name="title" maxLength={100} value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Weekend plans" />
        </label>
        <label>
          Members’ handles
          <input
            name="handles"
            required
            value={handles}
            onChange={(e) => setHandles(e.target.value.toLowerCase())}
            placeholder="bob_2, carol, dan"
            aria-describedby="group-handles-rule"
          />
        </label>
        <p id="group-handles-rule" className="hint">
          Two to {GROUP_MAX - 1} handles, separated by commas or spaces. People who don’t follow you get it as a request.
        </p>
        <button type="submit" className="primary" disabled={busy}>
          Create group
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}

const ROLE_WORDS: Record<string, string> = { owner: 'created the group', moderator: 'moderator' };
const STATE_WORDS: Record<string, string> = { pending: 'invited', declined: 'invited' };

/**
 * A group's people (names, handles, who created it, who has not accepted yet), adding people by
 * handle (POST /v1/conversations/:id/members) and leaving (DELETE …/members/me). The list follows
 * conversation.updated through the store, so someone leaving or joining shows without a reload.
 */
export function GroupMembers({ conversation, me }: { conversation: Conversation; me: Me }) {
  const [open, setOpen] = useState(false);
  const [handles, setHandles] = useState('');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [confirmLeave, setConfirmLeave] = useState(false);
  const id = conversation.id;
  // Whoever made the group first, then the people in it, then those invited; by name within each.
  const rank = (m: Member) => (m.role === 'owner' ? 0 : m.state === 'active' ? 1 : 2);
  const present = conversation.members
    .filter((m) => m.state !== 'left')
    .sort((a, b) => rank(a) - rank(b) || a.displayName.localeCompare(b.displayName));
  const active = conversation.myState === 'active';
  const room = GROUP_MAX - present.length;

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setStatus('');
    const already = new Set(present.map((m) => m.handle));
    const wanted = parseHandles(handles).filter((h) => !already.has(h));
    if (wanted.length === 0) return setError('Everyone you named is already in this group.');
    if (wanted.length > room)
      return setError(
        room === 0 ? `This group is full: ${GROUP_MAX} people at most.` : `Only ${room} more can join: ${GROUP_MAX} at most.`,
      );
    setBusy(true);
    try {
      const { found, missing } = await lookUp(wanted);
      if (missing.length) return setError(nobodyCalled(missing));
      const c = await unwrap(
        bc.api.POST('/v1/conversations/{id}/members', { params: { path: { id } }, body: { userIds: found.map((u) => u.id) } }),
      );
      store.upsertConversation(c);
      store.changed();
      setHandles('');
      setStatus(`Added ${found.map((u) => u.displayName).join(', ')}.`);
    } catch (err) {
      setError(groupError(err));
    } finally {
      setBusy(false);
    }
  };

  const leave = async () => {
    setError('');
    try {
      await unwrap(bc.api.DELETE('/v1/conversations/{id}/members/me', { params: { path: { id } } }));
      // Nobody tells the one who left (events go to the members who stay): forget it here.
      store.conversations.delete(id);
      store.messages.delete(id);
      store.changed();
      go('#/inbox');
    } catch (err) {
      setError(groupError(err));
    }
  };

  return (
    <section className="group-members" aria-labelledby={`members-title-${id}`}>
      <h2 id={`members-title-${id}`} className="visually-hidden">
        Group members
      </h2>
      <button type="button" aria-expanded={open} aria-controls={`members-${id}`} onClick={() => setOpen(!open)}>
        Members ({present.length})
      </button>
      {open && (
        <div id={`members-${id}`}>
          <ul className="members" aria-label="Members">
            {present.map((m) => (
              <MemberRow key={m.userId} member={m} me={me} />
            ))}
          </ul>
          {active && (
            <form onSubmit={add} className="inline-form" aria-label="Add people">
              <label>
                Add people by handle
                <input
                  name="add-handles"
                  value={handles}
                  onChange={(e) => setHandles(e.target.value.toLowerCase())}
                  placeholder="erin, @frank"
                />
              </label>
              <button type="submit" disabled={busy || room <= 0}>
                Add
              </button>
            </form>
          )}
          {!confirmLeave ? (
            <button type="button" className="danger" onClick={() => setConfirmLeave(true)}>
              Leave group
            </button>
          ) : (
            <div role="group" aria-label="Leave this group?">
              <p>You will stop getting its messages, and someone would have to add you again.</p>
              <button type="button" className="danger" onClick={() => void leave()}>
                Yes, leave
              </button>
              <button type="button" className="link" onClick={() => setConfirmLeave(false)}>
                Stay
              </button>
            </div>
          )}
          <p role="status" aria-live="polite" className="progress">
            {status}
          </p>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

function MemberRow({ member, me }: { member: Member; me: Me }) {
  const notes = [
    member.userId === me.id ? 'you' : null,
    ROLE_WORDS[member.role] ?? null,
    STATE_WORDS[member.state] ? `${STATE_WORDS[member.state]}, hasn’t joined yet` : null,
  ].filter(Boolean);
  return (
    <li className="member">
      <span className="name">{member.displayName}</span> {member.handle && <span className="handle">@{member.handle}</span>}
      {notes.length > 0 && <span className="hint"> · {notes.join(' · ')}</span>}
    </li>
  );
}
