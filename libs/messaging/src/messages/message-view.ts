export interface LinkView {
  url: string;
  verdict: 'pending' | 'safe' | 'suspicious' | 'malicious';
  reason?: string | null;
}

export interface MessageView {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  clientId: string;
  text: string | null;
  links: LinkView[];
  /** `held`: stopped by a staff rule, read by its sender only until staff decide. */
  state: 'visible' | 'removed' | 'held';
  removedReason?: string;
  createdAt: string;
}

/** The contract's Message JSON from a `message` row (snake_case, from SQL or row_to_json). */
export function messageView(r: any): MessageView {
  const removed = r.state === 'removed';
  const v: MessageView = {
    id: r.id,
    conversationId: r.conversation_id,
    seq: Number(r.seq),
    senderId: r.sender_id,
    clientId: r.client_id,
    text: removed ? null : r.text,
    links: removed ? [] : (r.links ?? []),
    state: r.state,
    createdAt: new Date(r.created_at).toISOString(),
  };
  if (removed) v.removedReason = r.removed_reason ?? 'removed';
  return v;
}

/** The same JSON built inside SQL, for event payloads written in the send statement. */
export const MESSAGE_JSON_SQL = (t: string) => `jsonb_build_object(
  'id', ${t}.id, 'conversationId', ${t}.conversation_id, 'seq', ${t}.seq, 'senderId', ${t}.sender_id,
  'clientId', ${t}.client_id, 'text', ${t}.text, 'links', ${t}.links, 'state', ${t}.state,
  'createdAt', to_char(${t}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;
