import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { NotFoundError, type Me, type Question, type components } from '@backchannel/client';
import { bc, describeError, unwrap } from './bc';
import { store, useStore } from './store';
import { go } from './route';
import { ConversationView } from './ConversationView';
import { LinkChips } from './MessageItem';

type Room = components['schemas']['Room'];
type RoomListItem = components['schemas']['RoomListItem'];

const when = (iso: string | null | undefined) =>
  iso
    ? new Date(iso).toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })
    : '';

/**
 * My rooms (live and scheduled ones I host, moderate or speak in, by title), starting or
 * scheduling one, and opening someone else's room from its link or id (rooms live in the host app).
 */
export function Rooms() {
  const [title, setTitle] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [roomId, setRoomId] = useState('');
  const [error, setError] = useState('');
  const [mine, setMine] = useState<RoomListItem[] | null>(null);
  useEffect(() => {
    unwrap(bc.api.GET('/v1/rooms'))
      .then((r) => setMine(r.items))
      .catch((err) => setError(describeError(err)));
  }, []);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      // datetime-local is the person's local time without a zone; the API wants an instant.
      const body = startsAt ? { title, startsAt: new Date(startsAt).toISOString() } : { title };
      const room = await unwrap(bc.api.POST('/v1/rooms', { body }));
      go(`#/r/${room.id}`);
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <section aria-labelledby="rooms-title">
      <h1 id="rooms-title">Rooms</h1>
      <section aria-labelledby="my-rooms-title">
        <h2 id="my-rooms-title">Your rooms</h2>
        {mine === null ? (
          <p className="hint">Loading…</p>
        ) : mine.length === 0 ? (
          <p className="empty">No live or upcoming rooms where you host, moderate or speak.</p>
        ) : (
          <ul className="room-list">
            {mine.map((r) => (
              <li key={r.id}>
                <a href={`#/r/${r.id}`}>{r.title}</a>{' '}
                <span className="hint">
                  {r.status === 'live' ? 'Live now' : `Scheduled${r.startsAt ? ` · ${when(r.startsAt)}` : ''}`} · you are {r.myRole}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <form onSubmit={create} className="inline-form">
        <label>
          Room title
          <input required maxLength={100} value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <label>
          Starts at (leave empty to go live now)
          <input type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
        </label>
        <button type="submit">{startsAt ? 'Schedule the room' : 'Start a room'}</button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          // A pasted link (…#/r/<id>) or a bare id.
          const id = roomId.trim().split('/').pop() ?? '';
          go(`#/r/${id}`);
        }}
        className="inline-form"
      >
        <label>
          Someone else’s room (its link or id)
          <input required value={roomId} onChange={(e) => setRoomId(e.target.value)} />
        </label>
        <button type="submit">Open</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}

export function RoomView({ id, me }: { id: string; me: Me }) {
  const s = useStore();
  const [room, setRoom] = useState<Room | null>(null);
  const [backchannelId, setBackchannelId] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [text, setText] = useState('');
  const [outside, setOutside] = useState(false);

  const load = useCallback(async () => {
    try {
      const r = await unwrap(bc.api.GET('/v1/rooms/{id}', { params: { path: { id } } }));
      setRoom(r);
      setOutside(false);
      if (r.myRole && r.status !== 'scheduled') {
        const qs = await unwrap(bc.api.GET('/v1/rooms/{id}/questions', { params: { path: { id } } }));
        for (const q of qs.items) store.upsertQuestion(q);
        store.changed();
      }
      if (r.myRole === 'moderator') {
        const c = await unwrap(bc.api.GET('/v1/rooms/{id}/backchannel', { params: { path: { id } } }));
        store.upsertConversation(c);
        setBackchannelId(c.id);
      } else setBackchannelId(null);
    } catch (err) {
      // A room one was never in is not visible (404): offer to join it, which answers 404 too if it does not exist.
      if (err instanceof NotFoundError) setOutside(true);
      else setError(describeError(err));
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  const join = async () => {
    setError('');
    try {
      await unwrap(bc.api.POST('/v1/rooms/{id}/join', { params: { path: { id } } }));
      await load();
    } catch (err) {
      setError(err instanceof NotFoundError ? 'No live room has this id.' : describeError(err));
    }
  };

  const act = async (fn: () => Promise<unknown>) => {
    setError('');
    try {
      await fn();
    } catch (err) {
      setError(describeError(err));
    }
  };

  if (!room && outside) {
    return (
      <section aria-labelledby="room-title" className="room">
        <h1 id="room-title">Room</h1>
        <p className="hint">You are not in this room yet.</p>
        <button type="button" onClick={() => void join()}>
          Join as listener
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </section>
    );
  }
  if (!room)
    return (
      <p>
        {error ? (
          <span role="alert" className="error">
            {error}
          </span>
        ) : (
          'Loading…'
        )}
      </p>
    );
  const moderator = room.myRole === 'moderator';
  const questions: Question[] = [...(s.questions.get(id)?.values() ?? [])]
    .filter((q) => q.status !== 'dismissed' || moderator)
    .sort((a, b) => Number(b.status === 'pinned') - Number(a.status === 'pinned') || b.upvotes - a.upvotes);

  return (
    <section aria-labelledby="room-title" className="room">
      <h1 id="room-title">{room.title}</h1>
      <p className="hint">
        {room.status === 'live'
          ? 'Live'
          : room.status === 'scheduled'
            ? `Scheduled${room.startsAt ? ` for ${when(room.startsAt)}` : ''}`
            : 'Ended'}{' '}
        · you are {room.myRole ?? 'not in this room'} · room id <code>{room.id}</code>
      </p>
      {room.status === 'scheduled' && moderator && <Lineup roomId={id} onChanged={() => void load()} />}
      {room.status === 'scheduled' && moderator && (
        <button
          type="button"
          onClick={() =>
            void act(async () => (await unwrap(bc.api.POST('/v1/rooms/{id}/start', { params: { path: { id } } })), await load()))
          }
        >
          Go live now
        </button>
      )}
      {room.status === 'scheduled' && !moderator && room.myRole && (
        <p className="hint">The room is not live yet: questions open when it starts.</p>
      )}
      {!room.myRole && room.status === 'live' && (
        <button type="button" onClick={() => void join()}>
          Join as listener
        </button>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {room.myRole && (
        <div className="room-columns">
          {room.status !== 'scheduled' && (
            <section aria-labelledby="questions-title">
              <h2 id="questions-title">Questions</h2>
              {room.status === 'live' && (
                <form
                  className="inline-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void act(async () => {
                      const q = await unwrap(bc.api.POST('/v1/rooms/{id}/questions', { params: { path: { id } }, body: { text } }));
                      store.upsertQuestion(q);
                      store.changed();
                      setText('');
                    });
                  }}
                >
                  <label>
                    Ask a question
                    <input required maxLength={500} value={text} onChange={(e) => setText(e.target.value)} />
                  </label>
                  <button type="submit">Ask</button>
                </form>
              )}
              {questions.length === 0 && <p className="empty">No questions yet.</p>}
              <ul className="questions">
                {questions.map((q) => (
                  <li key={q.id} className={`question q-${q.status}`}>
                    <p>
                      {q.status === 'pinned' && <strong>Pinned · </strong>}
                      {q.text}
                    </p>
                    <LinkChips links={q.links as never} />
                    <div className="actions">
                      <span aria-label={`${q.upvotes} upvotes`}>▲ {q.upvotes}</span>
                      {q.authorId !== me.id && (
                        <button
                          type="button"
                          onClick={() =>
                            act(async () => {
                              await unwrap(bc.api.POST('/v1/rooms/{id}/questions/{qid}/upvote', { params: { path: { id, qid: q.id } } }));
                              await load();
                            })
                          }
                        >
                          Upvote
                        </button>
                      )}
                      {moderator && q.status !== 'pinned' && (
                        <button
                          type="button"
                          onClick={() =>
                            act(() =>
                              unwrap(
                                bc.api.PATCH('/v1/rooms/{id}/questions/{qid}', {
                                  params: { path: { id, qid: q.id } },
                                  body: { status: 'pinned' },
                                }),
                              ).then((x) => {
                                store.upsertQuestion(x as Question);
                                store.changed();
                              }),
                            )
                          }
                        >
                          Pin
                        </button>
                      )}
                      {moderator && q.status !== 'answered' && (
                        <button
                          type="button"
                          onClick={() =>
                            act(() =>
                              unwrap(
                                bc.api.PATCH('/v1/rooms/{id}/questions/{qid}', {
                                  params: { path: { id, qid: q.id } },
                                  body: { status: 'answered' },
                                }),
                              ).then((x) => {
                                store.upsertQuestion(x as Question);
                                store.changed();
                              }),
                            )
                          }
                        >
                          Answered
                        </button>
                      )}
                      {moderator && q.status !== 'dismissed' && (
                        <button
                          type="button"
                          onClick={() =>
                            act(() =>
                              unwrap(
                                bc.api.PATCH('/v1/rooms/{id}/questions/{qid}', {
                                  params: { path: { id, qid: q.id } },
                                  body: { status: 'dismissed' },
                                }),
                              ).then((x) => {
                                store.upsertQuestion(x as Question);
                                store.changed();
                              }),
                            )
                          }
                        >
                          Dismiss
                        </button>
                      )}
                    </div>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {moderator && backchannelId && (
            <section aria-label="Moderators’ backchannel" className="backchannel">
              <p className="hint">Moderators only: listeners never see this.</p>
              <ConversationView id={backchannelId} me={me} embedded title="Backchannel" />
            </section>
          )}
        </div>
      )}
    </section>
  );
}

/** While a room is scheduled, its moderators name the lineup by handle: moderators and speakers. */
function Lineup({ roomId, onChanged }: { roomId: string; onChanged: () => void }) {
  const [handle, setHandle] = useState('');
  const [role, setRole] = useState<'moderator' | 'speaker'>('speaker');
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const name = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setStatus('');
    try {
      const wanted = handle.trim().replace(/^@/, '');
      const found = await unwrap(bc.api.GET('/v1/users', { params: { query: { handle: wanted } } }));
      const person = found.items[0];
      if (!person) {
        setError(`Nobody has the handle @${wanted}.`);
        return;
      }
      await unwrap(
        bc.api.PUT('/v1/rooms/{id}/members/{userId}/role', { params: { path: { id: roomId, userId: person.id } }, body: { role } }),
      );
      setStatus(`@${person.handle} is a ${role} of this room.`);
      setHandle('');
      onChanged();
    } catch (err) {
      setError(err instanceof NotFoundError ? 'That person cannot be added to this room.' : describeError(err));
    }
  };
  return (
    <form onSubmit={name} className="inline-form" aria-label="Name the lineup">
      <label>
        Handle
        <input required value={handle} onChange={(e) => setHandle(e.target.value)} placeholder="@handle" />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as 'moderator' | 'speaker')}>
          <option value="speaker">Speaker</option>
          <option value="moderator">Moderator</option>
        </select>
      </label>
      <button type="submit">Add to the lineup</button>
      {status && <p role="status">{status}</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
