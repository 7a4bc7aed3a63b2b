import simpleRestProvider from 'ra-data-simple-rest';
import type { DataProvider, Identifier } from 'react-admin';
import { API_URL, requests, type ActionBody, type ApiRequest, type PreviewTarget } from '../lib/api';
import { errorMessage } from '../lib/errors';
import { pickWritable } from '../lib/writable';
import type {
    AppealDecision,
    BlocklistKind,
    BlocklistPreview,
    BulkResolveResult,
    CaseMessagePage,
    ConversationLockState,
    DmAccessState,
    DmStats,
    LinkLabel,
    LinkRecord,
    ModerationAction,
    ModerationStats,
    QueueStats,
    Report,
    RuleTestBody,
    HeldRejectBody,
    SettledHeldRequests,
    RuleTestResult,
    ReporterPrecision,
    StatementPreview,
    TdbStatements,
    Transparency,
    UserActionResult,
    TransparencyDaily,
    UserHistory,
    UserStanding,
} from '@backchannel/client/admin';
import { httpClient } from './httpClient';

/** The console's per-user outcome of a bulk user action (one POST per user). */
export interface BulkOutcome {
    succeeded: Identifier[];
    failed: { id: Identifier; message: string }[];
}

/** react-admin's dataProvider plus the admin API's workflow calls. */
export interface BackchannelDataProvider extends DataProvider {
    /** POST /admin/v1/reports/:id/claim */
    claim(id: Identifier): Promise<{ data: Report }>;
    /** POST /admin/v1/reports/:id/escalate {note} */
    escalate(id: Identifier, params: { note: string }): Promise<{ data: Report }>;
    /** POST /admin/v1/reports/:id/resolve {action, durationHours?, note} */
    resolve(id: Identifier, params: ActionBody): Promise<{ data: Report }>;
    /** POST /admin/v1/reports/bulk-resolve {ids, action, durationHours?, note} */
    bulkResolve(params: ActionBody & { ids: Identifier[] }): Promise<{ data: BulkResolveResult }>;
    /** POST /admin/v1/cases/:id/claim */
    claimCase(id: Identifier): Promise<{ data: unknown }>;
    /** POST /admin/v1/{cases|reports}/:id/statement-preview (the resolve body): the statement the subject would receive */
    statementPreview(target: PreviewTarget, params: ActionBody): Promise<{ data: StatementPreview }>;
    /** POST /admin/v1/cases/:id/resolve (the report resolve body) */
    resolveCase(id: Identifier, params: ActionBody): Promise<{ data: unknown }>;
    /** GET /admin/v1/cases/:id/messages */
    caseMessages(id: Identifier): Promise<{ data: CaseMessagePage }>;
    /** POST /admin/v1/cases/:id/messages {recipientId, text} */
    sendCaseMessage(id: Identifier, params: { recipientId: Identifier; text: string }): Promise<{ data: unknown }>;
    /** GET /admin/v1/transparency?from=&to= */
    transparency(params: { from: string; to: string }): Promise<{ data: Transparency }>;
    /** GET /admin/v1/transparency/statements?from=&to= */
    transparencyStatements(params: { from: string; to: string }): Promise<{ data: TdbStatements }>;
    /** GET /admin/v1/transparency/daily?from=&to= */
    transparencyDaily(params: { from: string; to: string }): Promise<{ data: TransparencyDaily }>;
    /** GET /admin/v1/queue-stats */
    queueStats(): Promise<{ data: QueueStats }>;
    /** GET /admin/v1/reporters/:userId */
    reporterPrecision(userId: Identifier): Promise<{ data: ReporterPrecision }>;
    /** GET /admin/v1/users/:id/history */
    userHistory(userId: Identifier): Promise<{ data: UserHistory }>;
    /** GET /admin/v1/users/:id/standing?policy=&severity= */
    userStanding(userId: Identifier, decision?: { policy?: string; severity?: string }): Promise<{ data: UserStanding }>;
    /** POST /admin/v1/users/:id/actions {action, durationHours?, note} */
    userAction(userId: Identifier, params: ActionBody): Promise<{ data: UserActionResult }>;
    /** userAction for each id (one POST per user), never rejects: reports per-id outcome. */
    bulkUserAction(userIds: Identifier[], params: ActionBody): Promise<{ data: BulkOutcome }>;
    /** GET /admin/v1/users/:id/dm-stats */
    dmStats(userId: Identifier): Promise<{ data: DmStats }>;
    /** PUT (off) / DELETE (on) /admin/v1/users/:id/dm-access {note} */
    setDmAccess(userId: Identifier, params: { on: boolean; note: string }): Promise<{ data: DmAccessState }>;
    /** POST (lock) / DELETE (unlock) /admin/v1/conversations/:id/lock {note, expectLocked}: expectLocked is the state the page showed */
    setConversationLock(
        conversationId: Identifier,
        params: { locked: boolean; note: string; expectLocked?: boolean },
    ): Promise<{ data: ConversationLockState }>;
    /** POST /admin/v1/actions/:id/lift {note}: ends a restriction, suspension or ban early */
    liftAction(id: Identifier, params: { note: string }): Promise<{ data: ModerationAction }>;
    /** POST /admin/v1/appeals/:id/decide {decision, note} */
    decideAppeal(id: Identifier, params: { decision: AppealDecision; note: string }): Promise<{ data: unknown }>;
    /** PUT /admin/v1/links/:id {verdict, reason} */
    overrideLink(id: Identifier, params: { verdict: LinkLabel; reason: string }): Promise<{ data: LinkRecord }>;
    /** GET /admin/v1/blocklist/preview?pattern=&kind= */
    previewBlocklist(params: { pattern: string; kind: BlocklistKind }): Promise<{ data: BlocklistPreview }>;
    /** GET /admin/v1/stats */
    stats(): Promise<{ data: ModerationStats }>;
    /** POST /admin/v1/rules/test {text, kind?, patterns?} */
    testRules(params: RuleTestBody): Promise<{ data: RuleTestResult }>;
    /** POST /admin/v1/held-messages/:id/approve */
    approveHeld(id: Identifier): Promise<{ data: unknown }>;
    /** POST /admin/v1/held-messages/:id/reject {note?} */
    rejectHeld(id: Identifier, params: HeldRejectBody): Promise<{ data: unknown }>;
    /** POST /admin/v1/spam-requests/:senderId/release | decline {note?}: the requests a fan-out burst held */
    settleHeldRequests(senderId: Identifier, params: { release: boolean; note?: string }): Promise<{ data: SettledHeldRequests }>;
}

async function send<T>(request: ApiRequest, signal?: AbortSignal): Promise<{ data: T }> {
    const { json } = await httpClient(request.url, {
        method: request.method,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal,
    });
    return { data: (json ?? {}) as T };
}

const base = simpleRestProvider(API_URL, httpClient);

export const dataProvider: BackchannelDataProvider = {
    ...base,

    create: (resource, params) => base.create(resource, { ...params, data: pickWritable(resource, 'create', params.data) }),

    update: (resource, params) => base.update(resource, { ...params, data: pickWritable(resource, 'update', params.data) }),

    // The API may answer DELETE with 204: keep react-admin happy with the old record.
    delete: async (resource, params) => {
        const result = await base.delete(resource, params);
        return { data: result.data ?? params.previousData ?? { id: params.id } };
    },

    deleteMany: async (resource, params) => {
        await Promise.all(params.ids.map(id => base.delete(resource, { id })));
        return { data: params.ids };
    },

    claim: id => send(requests.claim(id)),
    escalate: (id, { note }) => send(requests.escalate(id, note)),
    resolve: (id, params) => send(requests.resolve(id, params)),
    bulkResolve: ({ ids, ...params }) => send(requests.bulkResolve(ids, params)),
    claimCase: id => send(requests.claimCase(id)),
    resolveCase: (id, params) => send(requests.resolveCase(id, params)),
    statementPreview: (target, params) => send(requests.statementPreview(target, params)),
    caseMessages: id => send(requests.caseMessages(id)),
    sendCaseMessage: (id, { recipientId, text }) => send(requests.sendCaseMessage(id, recipientId, text)),
    transparency: ({ from, to }) => send(requests.transparency(from, to)),
    transparencyStatements: ({ from, to }) => send(requests.transparencyStatements(from, to)),
    transparencyDaily: ({ from, to }) => send(requests.transparencyDaily(from, to)),
    queueStats: () => send(requests.queueStats()),
    reporterPrecision: userId => send(requests.reporterPrecision(userId)),
    userHistory: userId => send(requests.userHistory(userId)),
    userStanding: (userId, decision) => send(requests.userStanding(userId, decision)),
    userAction: (userId, params) => send(requests.userAction(userId, params)),
    bulkUserAction: async (userIds, params) => {
        const unique = Array.from(new Set(userIds.map(String)));
        const results = await Promise.allSettled(unique.map(id => send(requests.userAction(id, params))));
        const outcome: BulkOutcome = { succeeded: [], failed: [] };
        results.forEach((result, index) => {
            if (result.status === 'fulfilled') outcome.succeeded.push(unique[index]);
            else outcome.failed.push({ id: unique[index], message: errorMessage(result.reason) });
        });
        // surface a 401 so the auth layer logs out
        const unauthorized = results.find(r => r.status === 'rejected' && (r.reason as { status?: number } | undefined)?.status === 401);
        if (unauthorized && unauthorized.status === 'rejected') throw unauthorized.reason;
        return { data: outcome };
    },
    decideAppeal: (id, { decision, note }) => send(requests.decideAppeal(id, decision, note)),
    overrideLink: (id, { verdict, reason }) => send(requests.overrideLink(id, verdict, reason)),
    liftAction: (id, { note }) => send(requests.liftAction(id, note)),
    dmStats: userId => send(requests.dmStats(userId)),
    setDmAccess: (userId, { on, note }) => send(requests.dmAccess(userId, on, note)),
    setConversationLock: (conversationId, { locked, note, expectLocked }) =>
        send(requests.conversationLock(conversationId, locked, note, expectLocked)),
    previewBlocklist: ({ pattern, kind }) => send(requests.previewBlocklist(pattern, kind)),
    stats: () => send(requests.stats()),
    testRules: params => send({ method: 'POST', url: `${API_URL}/rules/test`, body: params }),
    approveHeld: id => send({ method: 'POST', url: `${API_URL}/held-messages/${encodeURIComponent(String(id))}/approve` }),
    rejectHeld: (id, { note, policy, severity }) =>
        send({
            method: 'POST',
            url: `${API_URL}/held-messages/${encodeURIComponent(String(id))}/reject`,
            body: { ...(note ? { note } : {}), ...(policy ? { policy } : {}), ...(severity ? { severity } : {}) },
        }),
    settleHeldRequests: (senderId, { release, note }) =>
        send({
            method: 'POST',
            url: `${API_URL}/spam-requests/${encodeURIComponent(String(senderId))}/${release ? 'release' : 'decline'}`,
            body: note ? { note } : {},
        }),
};
