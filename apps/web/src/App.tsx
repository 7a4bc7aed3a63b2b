import { useEffect, useRef, useState } from 'react';
import type { Me } from '@backchannel/client';
import { bc } from './bc';
import { store, useStore } from './store';
import { useRoute, type Route } from './route';
import { SignIn } from './SignIn';
import { ConversationList, NewConversation } from './Conversations';
import { ConversationView } from './ConversationView';
import { RoomView, Rooms } from './Rooms';
import { Notices } from './Notices';
import { Account } from './Account';
import { tabCounts, useBadgeSeed } from './badges';
import { Suspended, type KeptOut } from './Suspended';
import { NewGroup } from './Groups';

const SUSPENDED_SIGNED_OUT = 'Your account has been suspended, so you were signed out. Sign in to see why and to appeal the decision.';

/** Signed out: the sign-in screen. Signed in: the SDK runs (sync, live events, outbox) and the routes show. */
export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [ready, setReady] = useState(false);
  const [farewell, setFarewell] = useState('');
  const [keptOut, setKeptOut] = useState<KeptOut | null>(null);
  // Who was signed in, so a session ended by a suspension can offer the same handle again.
  const [lastHandle, setLastHandle] = useState('');
  const signedInAs = useRef('');
  useEffect(() => {
    if (me) signedInAs.current = me.handle;
  }, [me]);

  useEffect(() => {
    const off = bc.on('session', (s) => {
      if (!s.signedIn) {
        if (signedInAs.current) setLastHandle(signedInAs.current);
        setMe(null);
        store.clear();
        if (s.reason === 'account_deleted') setFarewell('Your account was deleted. Thank you for having been here.');
        // The server ended the session because moderators suspended or banned the account; a
        // refresh token cannot read why, so the password (sign-in) leads to the reasons and the appeal.
        if (s.reason === 'account_suspended') setFarewell(SUSPENDED_SIGNED_OUT);
      }
    });
    // A failed restore (storage unreadable, server down) shows the sign-in page, not "Loading…" forever.
    void bc
      .restore()
      .then(async (ok) => {
        if (ok) {
          setMe(bc.user);
          await bc.start().catch((err: { code?: string }) => {
            if (err?.code === 'account_suspended') setFarewell(SUSPENDED_SIGNED_OUT);
            setMe(null);
          });
        }
      })
      .catch(() => setMe(null))
      .finally(() => setReady(true));
    return off;
  }, []);

  if (!ready) return <p className="centered">Loading…</p>;
  if (keptOut) return <Suspended keptOut={keptOut} onBack={() => setKeptOut(null)} />;
  if (!me) {
    return (
      <SignIn
        key={lastHandle}
        notice={farewell}
        initialHandle={lastHandle}
        onKeptOut={(k) => {
          setFarewell('');
          setKeptOut(k);
        }}
        onSignedIn={async (user) => {
          setFarewell('');
          await bc.start();
          setMe(user);
        }}
      />
    );
  }
  return <Shell me={me} />;
}

const NAV: Array<[string, string]> = [
  ['#/inbox', 'Inbox'],
  ['#/requests', 'Requests'],
  ['#/hidden', 'Hidden'],
  ['#/rooms', 'Rooms'],
  ['#/notices', 'Notices'],
];

function Shell({ me }: { me: Me }) {
  const route = useRoute();
  const s = useStore();
  const current = `#/${route.name}`;
  useBadgeSeed();
  const counts: Record<string, number> = tabCounts();
  return (
    <div className="shell">
      <header className="top">
        <a className="brand" href="#/inbox">
          Backchannel
        </a>
        <span className={`conn conn-${s.connection}`} role="status" aria-live="polite">
          {s.connection === 'connected' ? 'online' : s.connection === 'connecting' ? 'connecting…' : 'offline: reconnecting'}
        </span>
        <a className="me" href="#/account" title="Account and your data" aria-current={route.name === 'account' ? 'page' : undefined}>
          @{me.handle}
        </a>
        <button type="button" className="link" onClick={() => void bc.signOut()}>
          Sign out
        </button>
      </header>
      <nav aria-label="Main">
        <ul className="tabs">
          {NAV.map(([href, label]) => (
            <li key={href}>
              <a href={href} aria-current={current === href ? 'page' : undefined}>
                {label}
                <TabBadge n={counts[href.slice(2)] ?? 0} />
              </a>
            </li>
          ))}
          <li>
            <a href="#/new" className="primary" aria-current={route.name === 'new' ? 'page' : undefined}>
              New chat
            </a>
          </li>
        </ul>
      </nav>
      <main id="main">
        <Screen route={route} me={me} />
      </main>
    </div>
  );
}

/** A count beside a tab's name; the link's accessible name becomes e.g. "Requests 2 new". */
function TabBadge({ n }: { n: number }) {
  if (n <= 0) return null;
  return (
    <span className="badge tab-badge">
      {' '}
      {n > 99 ? '99+' : n}
      <span className="visually-hidden"> new</span>
    </span>
  );
}

function Screen({ route, me }: { route: Route; me: Me }) {
  switch (route.name) {
    case 'inbox':
    case 'requests':
    case 'hidden':
      return <ConversationList folder={route.name} me={me} />;
    case 'new':
      return (
        <div className="new-screen">
          <NewConversation />
          <NewGroup me={me} />
        </div>
      );
    case 'conversation':
      return <ConversationView id={route.id} me={me} />;
    case 'rooms':
      return <Rooms />;
    case 'room':
      return <RoomView id={route.id} me={me} />;
    case 'notices':
      return <Notices />;
    case 'account':
      return <Account me={me} />;
  }
}
