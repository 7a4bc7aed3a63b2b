import type { HeldMessage } from '@backchannel/client/admin';

/** Who a held message was going to, by handle (a group's or room's title after them). */
export function recipientsLine(row: Pick<HeldMessage, 'recipients' | 'recipientCount' | 'conversationTitle' | 'conversationKind'>): string {
    const names = row.recipients.map(r => `@${r.handle ?? r.id}`);
    const more = row.recipientCount - names.length;
    const people = names.length ? `${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : 'nobody (everyone else has left)';
    const where = row.conversationTitle
        ? ` in “${row.conversationTitle}”`
        : row.conversationKind === 'direct'
          ? ''
          : ` (${row.conversationKind})`;
    return `To ${people}${where}`;
}
