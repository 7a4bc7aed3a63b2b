import { useEffect } from 'react';
import { bc, unwrap } from './bc';
import { store } from './store';
import { hiddenIds, inFolder } from './Conversations';

const SEEN_KEY = 'backchannel:noticesSeenAt';

/** When Notices was last open on this device: newer notices count as new. */
export function noticesSeenAt(): string {
  return window.localStorage.getItem(SEEN_KEY) ?? '';
}
export function markNoticesSeen(): void {
  window.localStorage.setItem(SEEN_KEY, new Date().toISOString());
  store.changed();
}

/** The tab bar's counts: conversations with unread messages, open requests, notices not yet seen. */
export function tabCounts(): { inbox: number; requests: number; notices: number } {
  let inbox = 0;
  let requests = 0;
  for (const c of store.conversations.values()) {
    if (c.kind === 'room') continue;
    if (inFolder(c, 'inbox', hiddenIds) && c.unreadCount > 0) inbox++;
    if (inFolder(c, 'requests', hiddenIds)) requests++;
  }
  const seen = noticesSeenAt();
  const notices = store.notices.filter((n) => n.createdAt > seen).length;
  return { inbox, requests, notices };
}

/** Seeds the store with the inbox, requests and notices once signed in, so the badges show before a tab is opened. */
export function useBadgeSeed(): void {
  useEffect(() => {
    let live = true;
    void (async () => {
      for (const folder of ['inbox', 'requests'] as const) {
        const page = await unwrap(bc.api.GET('/v1/conversations', { params: { query: { folder, limit: 100 } } })).catch(() => null);
        if (!live || !page) continue;
        for (const c of page.items) {
          if (!store.conversations.has(c.id)) store.upsertConversation(c);
        }
      }
      const notices = await unwrap(bc.api.GET('/v1/notices', { params: { query: { limit: 50 } } })).catch(() => null);
      if (live && notices) {
        const known = new Set(store.notices.map((n) => n.id));
        store.notices = [...store.notices, ...notices.items.filter((n) => !known.has(n.id))].sort((a, b) =>
          b.createdAt.localeCompare(a.createdAt),
        );
      }
      if (live) store.changed();
    })();
    return () => {
      live = false;
    };
  }, []);
}
