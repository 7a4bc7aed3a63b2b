import { useEffect, useState } from 'react';

/** Hash routes (#/inbox, #/c/<id>, #/r/<id>, #/account, ...): the server only ever serves / for the app. */
export type Route =
  | { name: 'inbox' | 'requests' | 'hidden' | 'new' | 'rooms' | 'notices' | 'account' }
  | { name: 'conversation'; id: string }
  | { name: 'room'; id: string };

export function parseRoute(hash: string): Route {
  const [, a, b] = hash.replace(/^#/, '').split('/');
  if (a === 'c' && b) return { name: 'conversation', id: b };
  if (a === 'r' && b) return { name: 'room', id: b };
  if (a === 'requests' || a === 'hidden' || a === 'new' || a === 'rooms' || a === 'notices' || a === 'account') return { name: a };
  return { name: 'inbox' };
}

export const go = (path: string) => {
  window.location.hash = path;
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
