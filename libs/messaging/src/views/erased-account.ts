/**
 * How a deleted account reads (API.md v1.2 "Your data"): no handle, this display name, and
 * no text or links in what it wrote. Used to rewrite copies frozen before the deletion (event
 * payloads, report evidence) where its name or words were written down.
 */
export const DELETED_DISPLAY_NAME = 'Deleted account';

/** Keys by which a JSON object names a person: the object then is that person, or what they wrote. */
const PERSON_KEYS = ['id', 'userId', 'senderId', 'authorId'];

/**
 * A copy of `value` with `userId` erased from every object that names them (a profile, a
 * member, a message or question they wrote, a reply quoting them): handles become null, the
 * display name DELETED_DISPLAY_NAME, text null, links and earlier versions empty. Ids stay:
 * they are pseudonymous and keep the rest of the document whole. `changed` is false when
 * nothing named them.
 */
export function eraseAccountFrom(value: unknown, userId: string): { value: unknown; changed: boolean } {
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const names = PERSON_KEYS.some((k) => o[k] === userId);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      if (names && (k === 'handle' || k === 'senderHandle' || k === 'authorHandle')) out[k] = null;
      else if (names && k === 'displayName') out[k] = DELETED_DISPLAY_NAME;
      else if (names && k === 'text') out[k] = null;
      else if (names && (k === 'links' || k === 'versions')) out[k] = [];
      else out[k] = walk(x);
      if (out[k] !== x && names) changed = true;
    }
    return out;
  };
  const result = walk(value);
  return { value: result, changed };
}
