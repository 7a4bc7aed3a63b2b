import { useEffect, useState } from 'react';
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

/** Signed out: the sign-in screen. Signed in: the SDK runs (sync, live events, outbox) and the routes show. */
export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [ready, setReady] = useState(false);
  const [farewell, setFarewell] = useState('');

  useEffect(() => {
    const off = bc.on('session', (s) => {
      if (!s.signedIn) {
        setMe(null);
        store.clear();
        if (s.reason === 'account_deleted') setFarewell('Your account was deleted. Thank you for having been here.');
      }
    });
    // A failed restore (storage unreadable, server down) shows the sign-in page, not "Loading…" forever.
    void bc
      .restore()
      .then(async (ok) => {
        if (ok) {
          setMe(bc.user);
          await bc.start().catch(() => setMe(null));
        }
      })
      .catch(() => setMe(null))
      .finally(() => setReady(true));
    return off;
  }, []);

  if (!ready) return <p className="centered">Loading…</p>;
  if (!me) {
    return (
      <SignIn
        notice={farewell}
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
      return <NewConversation />;
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
