/**
 * The non-CRUD calls of the admin API, as plain request descriptions
 * (method + URL + JSON body). The dataProvider executes them; keeping them
 * here makes the exact HTTP contract unit-testable.
 */

import type { AppealDecision, BlocklistKind, LinkLabel, ResolveBody } from '@backchannel/client/admin';

export const API_URL = '/admin/v1';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRequest {
    method: HttpMethod;
    url: string;
    body?: unknown;
}

type Id = string | number;

const seg = (id: Id): string => encodeURIComponent(String(id));

/**
 * The body of a report or case resolution, a bulk resolution (plus `ids`) and a direct user
 * action: the API's ResolveDto (UserActionDto is the same without `templateId`), with the
 * action as the form holds it (checked against the ladder before sending) and the note always set.
 */
export type ActionBody = Omit<ResolveBody, 'action' | 'note'> & { action: string; note: string };

/** What a statement preview is for: a case (every open report in it) or one report. */
export interface PreviewTarget {
    kind: 'case' | 'report';
    id: Id;
}

export const requests = {
    login: (email: string, password: string): ApiRequest => ({
        method: 'POST',
        url: `${API_URL}/auth/login`,
        body: { email, password },
    }),

    claim: (reportId: Id): ApiRequest => ({
        method: 'POST',
        url: `${API_URL}/reports/${seg(reportId)}/claim`,
    }),

    escalate: (reportId: Id, note: string): ApiRequest => ({
        method: 'POST',
        url: `${API_URL}/reports/${seg(reportId)}/escalate`,
        body: { note },
    }),

    resolve: (reportId: Id, body: ActionBody): ApiRequest => ({
        method: 'POST',
        url: `${API_URL}/reports/${seg(reportId)}/resolve`,
        body: actionBody(body),
    }),

    bulkResolve: (ids: readonly Id[], body: ActionBody): ApiRequest => ({
        method: 'POST',
        url: `${API_URL}/reports/bulk-resolve`,
        body: { ids: [...ids], ...actionBody(body) },
    }),

    claimCase: (caseId: Id): ApiRequest => ({
        method: 'POST',
        url: `${API_URL}/cases/${seg(caseId)}/claim`,
    }),

    /** What resolving the case (or the one report) with this body would tell its subject; nothing is written. */
    statementPreview: (target: PreviewTarget, body: ActionBody): ApiRequest => ({
        method: 'POST',
        url: `${API_URL}/${target.kind === 'case' ? 'cases' : 'reports'}/${seg(target.id)}/statement-preview`,
        body: actionBody(body),
    }),

    resolveCase: (caseId: Id, body: ActionBody): ApiRequest => ({
        method: 'POST',
        url: `${API_URL}/cases/${seg(caseId)}/resolve`,
        body: actionBody(body),
    }),

    caseMessages: (caseId: Id): ApiRequest => ({
        method: 'GET',
        url: `${API_URL}/cases/${seg(caseId)}/messages`,
    }),

    sendCaseMessage: (caseId: Id, recipientId: Id, text: string): ApiRequest => ({
        method: 'POST',
        url: `${API_URL}/cases/${seg(caseId)}/messages`,
        body: { recipientId: String(recipientId), text },
    }),

    transparency: (from: string, to: string): ApiRequest => ({
        method: 'GET',
        url: `${API_URL}/transparency?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    }),

    /** GET /users/:id/standing, with the decision about to be taken when there is one. */
    userStanding: (userId: Id, decision: { policy?: string; severity?: string } = {}): ApiRequest => {
        const query = new URLSearchParams();
        if (decision.policy) query.set('policy', decision.policy);
        if (decision.policy && decision.severity) query.set('severity', decision.severity);
        const qs = query.toString();
        return { method: 'GET', url: `${API_URL}/users/${seg(userId)}/standing${qs ? `?${qs}` : ''}` };
    },

    /** GET /admin/v1/transparency/statements: the period's statements in the EU Transparency Database format. */
    transparencyStatements: (from: string, to: string): ApiRequest => ({
        method: 'GET',
        url: `${API_URL}/transparency/statements?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    }),

    /** GET /admin/v1/reporters/:userId: a reporter's precision. */
    reporterPrecision: (userId: Id): ApiRequest => ({
        method: 'GET',
        url: `${API_URL}/reporters/${seg(userId)}`,
    }),

    userHistory: (userId: Id): ApiRequest => ({
        method: 'GET',
        url: `${API_URL}/users/${seg(userId)}/history`,
    }),

    userAction: (userId: Id, body: ActionBody): ApiRequest => ({
        method: 'POST',
        url: `${API_URL}/users/${seg(userId)}/actions`,
        body: actionBody(body),
    }),

    dmStats: (userId: Id): ApiRequest => ({
        method: 'GET',
        url: `${API_URL}/users/${seg(userId)}/dm-stats`,
    }),

    /** PUT switches DM access off, DELETE back on. */
    dmAccess: (userId: Id, on: boolean, note: string): ApiRequest => ({
        method: on ? 'DELETE' : 'PUT',
        url: `${API_URL}/users/${seg(userId)}/dm-access`,
        body: { note },
    }),

    /** POST locks, DELETE unlocks; with `expectLocked` (the state the page read) a conversation changed since is refused (409 lock_state_changed). */
    conversationLock: (conversationId: Id, locked: boolean, note: string, expectLocked?: boolean): ApiRequest => ({
        method: locked ? 'POST' : 'DELETE',
        url: `${API_URL}/conversations/${seg(conversationId)}/lock`,
        body: expectLocked === undefined ? { note } : { note, expectLocked },
    }),

    liftAction: (actionId: Id, note: string): ApiRequest => ({
        method: 'POST',
        url: `${API_URL}/actions/${seg(actionId)}/lift`,
        body: { note },
    }),

    decideAppeal: (appealId: Id, decision: AppealDecision, note: string): ApiRequest => ({
        method: 'POST',
        url: `${API_URL}/appeals/${seg(appealId)}/decide`,
        body: { decision, note },
    }),

    overrideLink: (linkId: Id, verdict: LinkLabel, reason: string): ApiRequest => ({
        method: 'PUT',
        url: `${API_URL}/links/${seg(linkId)}`,
        body: { verdict, reason },
    }),

    previewBlocklist: (pattern: string, kind: BlocklistKind): ApiRequest => ({
        method: 'GET',
        url: `${API_URL}/blocklist/preview?${new URLSearchParams({ pattern, kind }).toString()}`,
    }),

    stats: (): ApiRequest => ({ method: 'GET', url: `${API_URL}/stats` }),

    /** GET /admin/v1/transparency/daily: the transparency counts per UTC day (the charts). */
    transparencyDaily: (from: string, to: string): ApiRequest => ({
        method: 'GET',
        url: `${API_URL}/transparency/daily?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    }),

    /** GET /admin/v1/queue-stats: open, oldest, handled per day per moderator. */
    queueStats: (): ApiRequest => ({ method: 'GET', url: `${API_URL}/queue-stats` }),
};

/** Only the contract's fields, durationHours only when set. */
function actionBody(body: ActionBody): ActionBody {
    const out: ActionBody = { action: body.action, note: body.note ?? '' };
    if (typeof body.durationHours === 'number' && Number.isFinite(body.durationHours)) {
        out.durationHours = body.durationHours;
    }
    if (body.templateId) out.templateId = body.templateId;
    if (body.policy) out.policy = body.policy;
    if (body.severity) out.severity = body.severity;
    if (body.facts?.trim()) out.facts = body.facts.trim();
    return out;
}
