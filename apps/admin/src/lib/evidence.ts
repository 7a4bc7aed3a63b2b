/**
 * Normalises a report's frozen `evidence` snapshot for display. Every field
 * may be missing or of the wrong type; the result is always safe to render.
 */
import { LINK_VERDICTS, type LinkVerdict } from '@backchannel/client/admin';

export type Verdict = LinkVerdict | 'unknown';

export interface EvidenceLink {
    url: string;
    verdict: Verdict;
    reason: string;
}

/** An earlier text of an edited message (oldest first), as frozen with the report. */
export interface EvidenceVersion {
    version: number;
    text: string;
    links: EvidenceLink[];
    writtenAt: string;
    replacedAt: string;
}

export interface EvidenceMessage {
    key: string;
    id: string;
    seq: number | null;
    senderId: string;
    senderHandle: string;
    text: string;
    links: EvidenceLink[];
    state: string;
    createdAt: string;
    /** When it was last edited ('' if never). */
    editedAt: string;
    /** Every earlier version of an edited message, oldest first; the bubble's text is the last one. */
    versions: EvidenceVersion[];
    /** Earlier versions the snapshot left out (between the original and the newest ones it keeps). */
    versionsOmitted: number;
    reported: boolean;
    /** reported, or the report's subject message */
    highlighted: boolean;
    /**
     * The one message the report is about: the subject message when the
     * report targets a message, else the first highlighted one. At most one
     * message is primary (it carries data-testid="reported-message").
     */
    primary: boolean;
    /** bubbles of the reported user sit on the left */
    side: 'left' | 'right';
}

export interface EvidenceParticipant {
    userId: string;
    handle: string;
    state: string;
    isSubject: boolean;
}

export interface NormalizedEvidence {
    messages: EvidenceMessage[];
    participants: EvidenceParticipant[];
    conversation: { id: string; kind: string; title: string; wasRequest: boolean; context: string } | null;
    room: { id: string; title: string } | null;
    subject: Record<string, unknown> | null;
    empty: boolean;
}

export interface ReportLike {
    subjectType?: unknown;
    subjectId?: unknown;
    subjectUserId?: unknown;
    evidence?: unknown;
}

const obj = (value: unknown): Record<string, unknown> | null =>
    value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

const str = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return '';
};

const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const links = (value: unknown): EvidenceLink[] =>
    arr(value)
        .map(obj)
        .filter((l): l is Record<string, unknown> => l !== null)
        .map(l => ({ url: str(l.url), verdict: normalizeVerdict(l.verdict), reason: str(l.reason) }));

export function normalizeVerdict(value: unknown): Verdict {
    return (LINK_VERDICTS as readonly unknown[]).includes(value) ? (value as LinkVerdict) : 'unknown';
}

/** Context can be a string or an object (e.g. {roomId, questionId}). */
function contextText(value: unknown): string {
    if (value === null || value === undefined) return '';
    if (typeof value === 'string') return value;
    try {
        return JSON.stringify(value);
    } catch {
        return '';
    }
}

export function normalizeEvidence(report: ReportLike | null | undefined): NormalizedEvidence {
    const evidence = obj(report?.evidence) ?? {};
    const subjectUserId = str(report?.subjectUserId);
    const subjectMessageId = report?.subjectType === 'message' ? str(report?.subjectId) : '';

    const participants: EvidenceParticipant[] = arr(evidence.participants)
        .map(obj)
        .filter((p): p is Record<string, unknown> => p !== null)
        .map(p => ({
            userId: str(p.userId),
            handle: str(p.handle),
            state: str(p.state),
            isSubject: subjectUserId !== '' && str(p.userId) === subjectUserId,
        }));
    const handleById = new Map(participants.filter(p => p.userId && p.handle).map(p => [p.userId, p.handle]));

    const raw = arr(evidence.messages)
        .map(obj)
        .filter((m): m is Record<string, unknown> => m !== null);

    const indexed = raw.map((m, index) => ({ m, index }));
    indexed.sort((a, b) => {
        const sa = typeof a.m.seq === 'number' ? a.m.seq : null;
        const sb = typeof b.m.seq === 'number' ? b.m.seq : null;
        if (sa !== null && sb !== null && sa !== sb) return sa - sb;
        return a.index - b.index;
    });

    const firstSender = indexed.length ? str(indexed[0].m.senderId) : '';
    const leftSender = subjectUserId || firstSender;

    const messages: EvidenceMessage[] = indexed.map(({ m, index }) => {
        const id = str(m.id);
        const senderId = str(m.senderId);
        const reported = m.reported === true;
        return {
            key: id || `idx-${index}`,
            id,
            seq: typeof m.seq === 'number' ? m.seq : null,
            senderId,
            senderHandle: str(m.senderHandle) || handleById.get(senderId) || senderId || 'unknown',
            text: str(m.text),
            links: links(m.links),
            state: str(m.state),
            createdAt: str(m.createdAt),
            editedAt: str(m.editedAt),
            versions: arr(m.versions)
                .map(obj)
                .filter((v): v is Record<string, unknown> => v !== null)
                .map((v, i) => ({
                    version: typeof v.version === 'number' ? v.version : i + 1,
                    text: str(v.text),
                    links: links(v.links),
                    writtenAt: str(v.writtenAt),
                    replacedAt: str(v.replacedAt),
                })),
            versionsOmitted: typeof m.versionsOmitted === 'number' && m.versionsOmitted > 0 ? m.versionsOmitted : 0,
            reported,
            highlighted: reported || (subjectMessageId !== '' && id === subjectMessageId),
            side: senderId !== '' && senderId === leftSender ? 'left' : 'right',
            primary: false,
        };
    });
    const primary =
        (subjectMessageId !== '' ? messages.find(m => m.id === subjectMessageId) : undefined) ?? messages.find(m => m.highlighted);
    if (primary) primary.primary = true;

    const conv = obj(evidence.conversation);
    const room = obj(evidence.room);
    const subject = obj(evidence.subject);

    return {
        messages,
        participants,
        conversation: conv
            ? {
                  id: str(conv.id),
                  kind: str(conv.kind),
                  title: str(conv.title),
                  wasRequest: conv.wasRequest === true,
                  context: contextText(conv.context),
              }
            : null,
        room: room ? { id: str(room.id), title: str(room.title) } : null,
        subject,
        empty: messages.length === 0 && participants.length === 0 && !conv && !room && !subject,
    };
}
