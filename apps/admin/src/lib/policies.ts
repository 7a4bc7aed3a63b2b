/**
 * Policies in the console: which one a decision starts from, and how a statement names it.
 * The server decides (PoliciesService.choose); these mirror its defaults so the form opens on
 * what a client that sends nothing would get, and show the statement's ground before sending.
 */
import type { Policy } from '@backchannel/client/admin';

/** The policy a decision starts from: the report's reason's, else `other` (API.md v1.2). */
export function defaultPolicyKey(policies: readonly Pick<Policy, 'key'>[], reason: unknown): string {
    if (typeof reason === 'string' && policies.some(p => p.key === reason)) return reason;
    if (policies.some(p => p.key === 'other')) return 'other';
    return policies[0]?.key ?? '';
}

/** The severity a policy starts from: its first (mildest), or the current one when the policy has it. */
export function severityFor(policy: Pick<Policy, 'severities'> | undefined, current?: string): string {
    if (!policy) return '';
    if (current && policy.severities.some(s => s.key === current)) return current;
    return policy.severities[0]?.key ?? '';
}

/** "STATEMENT_CATEGORY_SCAMS_AND_FRAUD" → "Scams and fraud". */
export function categoryLabel(category: unknown): string {
    if (typeof category !== 'string') return '—';
    const words = category
        .replace(/^STATEMENT_CATEGORY_/, '')
        .toLowerCase()
        .replace(/_/g, ' ');
    return words.charAt(0).toUpperCase() + words.slice(1);
}
