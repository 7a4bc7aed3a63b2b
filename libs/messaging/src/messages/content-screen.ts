/**
 * What a send or an edit asks before it stores a text: the links in it, which of them the
 * blocklist condemns now, and what the staff rules (AutoMod) decide. Links and rules sit above
 * messages (issue #27's layers), so messages declares what it needs here and the rules layer
 * provides it under CONTENT_SCREEN (rules/content-screen.service.ts); messages imports
 * neither.
 */
export const CONTENT_SCREEN = Symbol('CONTENT_SCREEN');

export interface ScreenedText {
  /** The links of the text, normalised, in order (at most MAX_LINKS_PER_MESSAGE). */
  urls: string[];
  /** True for a URL the blocklist condemns now: its cached verdict does not stand, the scan job decides. */
  blocklisted(url: string): boolean;
  /** A live `hold` rule matched: the message is stored held for staff review. */
  held: boolean;
  /**
   * After the message is stored: record the rule hits (and a `flag` rule's report). Null when
   * no rule matched, so the common send makes no extra call.
   */
  settle: ((stored: { messageId: string }) => Promise<void>) | null;
}

export interface ContentScreen {
  /** Throws BlockedByRule (403 blocked_by_rule) when a live `block` rule (or, for an edit, a `hold` rule) matches. */
  screen(userId: string, conversationId: string, text: string, opts?: { edit?: boolean }): Promise<ScreenedText>;
}
