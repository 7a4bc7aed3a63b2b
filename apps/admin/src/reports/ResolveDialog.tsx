import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from '@mui/material';
import { useEffect, useState, type FormEvent } from 'react';
import { useGetList, type Identifier } from 'react-admin';
import type { NoticeTemplate, Policy } from '@backchannel/client/admin';
import { StatementPreviewPanel } from '../cases/StatementPreviewPanel';
import { ActionFormFields } from '../common/ActionFormFields';
import { PolicyFields, type PolicyChoice } from '../common/PolicyFields';
import { Section } from '../common/Section';
import { useBackchannel, useRunner } from '../common/useApi';
import { buildActionPayload, initialResolveState, RESOLVE_ACTIONS, validateActionForm, type ResolveFormState } from '../lib/ladder';
import { defaultPolicyKey, severityFor } from '../lib/policies';
import type { PreviewTarget } from '../lib/api';
import { StandingPanel, useUserStanding } from '../users/StandingPanel';

export interface ResolveDialogProps {
    open: boolean;
    onClose: () => void;
    /** the report(s) to resolve */
    ids: Identifier[];
    /** POST /reports/bulk-resolve (default: when more than one id) instead of POST /reports/:id/resolve */
    bulk?: boolean;
    /** a suggestedAction to preselect when there is no single subject (bulk) */
    suggested?: unknown;
    /** the subject: their standing (for the policy and severity being chosen) shows beside the form and its suggestion is preselected */
    subjectUserId?: unknown;
    onResolved?: () => void;
    /** Resolve this case (every open report in it) instead of the report ids. */
    caseId?: Identifier;
    /** The report's reason: its policy is the one the form starts from (else `other`). */
    reason?: unknown;
}

export const ResolveDialog = ({
    open,
    onClose,
    ids,
    bulk: bulkProp,
    suggested,
    subjectUserId,
    onResolved,
    caseId,
    reason,
}: ResolveDialogProps) => {
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const policies = useGetList<Policy>(
        'policies',
        { pagination: { page: 1, perPage: 100 }, sort: { field: 'key', order: 'ASC' } },
        { enabled: open },
    );
    const policyList = policies.data ?? [];
    const [choice, setChoice] = useState<PolicyChoice>({ policy: '', severity: '' });
    // The standing beside the form follows the policy and severity being chosen; without a
    // subject (bulk), the history's suggestion, if given, stands in.
    const standing = useUserStanding(open && subjectUserId && choice.policy ? subjectUserId : null, choice);
    const suggestion = standing.data?.suggestedAction ?? suggested;
    const chosen = policyList.find(p => p.key === choice.policy);

    // The policy starts from the report's reason's (else `other`) at its first severity.
    useEffect(() => {
        if (!open || policyList.length === 0) return;
        if (policyList.some(p => p.key === choice.policy)) return;
        const key = defaultPolicyKey(policyList, reason);
        setChoice({ policy: key, severity: severityFor(policyList.find(p => p.key === key)) });
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [open, policyList.length, reason]);

    const [form, setForm] = useState<ResolveFormState>(() => initialResolveState(suggestion));
    const [touched, setTouched] = useState(false);
    const [templateId, setTemplateId] = useState('');
    const [facts, setFacts] = useState('');
    const templates = useGetList<NoticeTemplate>(
        'templates',
        { pagination: { page: 1, perPage: 100 }, sort: { field: 'name', order: 'ASC' } },
        { enabled: open },
    );
    const [error, setError] = useState<string | null>(null);

    // Preselect the suggestion each time the dialog opens (and when it arrives).
    useEffect(() => {
        if (!open) {
            setTouched(false);
            setError(null);
            setTemplateId('');
            setFacts('');
            return;
        }
        if (!touched) setForm(initialResolveState(suggestion));
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [open, JSON.stringify(suggestion ?? null)]);

    const change = (value: ResolveFormState) => {
        setTouched(true);
        setError(null);
        setForm(value);
    };

    // One case, or one report resolved alone, has one subject: its statement can be previewed.
    const previewTarget: PreviewTarget | null =
        caseId !== undefined
            ? { kind: 'case', id: caseId }
            : !(bulkProp ?? ids.length > 1) && ids.length === 1
              ? { kind: 'report', id: ids[0] }
              : null;
    /** The resolve's body; the statement preview is asked for with the very same one. */
    const payloadOf = () => ({
        ...buildActionPayload(form),
        ...(templateId && form.action !== 'dismiss' ? { templateId } : {}),
        ...(facts.trim() && form.action !== 'dismiss' ? { facts: facts.trim() } : {}),
        ...(form.action !== 'dismiss' ? { policy: choice.policy, severity: choice.severity } : {}),
    });
    const pickTemplate = (id: string) => {
        setError(null);
        setTemplateId(id);
        // A template words the facts; the moderator may edit them from there.
        setFacts(templates.data?.find(t => t.id === id)?.facts ?? '');
    };

    const submit = async (event: FormEvent) => {
        event.preventDefault();
        const problem = validateActionForm(form);
        if (problem) {
            setError(problem);
            return;
        }
        if (form.action !== 'dismiss' && (!choice.policy || !choice.severity)) {
            setError('Choose a policy and a severity');
            return;
        }
        const payload = payloadOf();
        const bulk = bulkProp ?? ids.length > 1;
        const result = await run(
            'resolve',
            () =>
                caseId !== undefined
                    ? dataProvider.resolveCase(caseId, payload)
                    : bulk
                      ? dataProvider.bulkResolve({ ids, ...payload })
                      : dataProvider.resolve(ids[0], payload),
            {
                success:
                    caseId !== undefined
                        ? 'Case resolved'
                        : bulk
                          ? `${ids.length} report${ids.length === 1 ? '' : 's'} resolved`
                          : 'Report resolved',
            },
        );
        if (result !== undefined) {
            onClose();
            onResolved?.();
        }
    };

    return (
        <Dialog open={open} onClose={pending ? undefined : onClose} fullWidth maxWidth="sm" data-testid="resolve-dialog">
            <form onSubmit={submit} noValidate>
                <DialogTitle>
                    {caseId !== undefined
                        ? `Resolve case (${ids.length} report${ids.length === 1 ? '' : 's'})`
                        : bulkProp || ids.length > 1
                          ? `Resolve ${ids.length} report${ids.length === 1 ? '' : 's'}`
                          : 'Resolve report'}
                </DialogTitle>
                <DialogContent>
                    {policyList.length > 0 && (
                        <PolicyFields
                            policies={policyList}
                            value={choice}
                            onChange={value => {
                                setError(null);
                                setChoice(value);
                            }}
                            testIdPrefix="resolve"
                            disabled={!!pending}
                        />
                    )}
                    {!!subjectUserId && (
                        <Section title="Standing" testId="resolve-standing">
                            <StandingPanel standing={standing.data} isPending={standing.isPending} />
                        </Section>
                    )}
                    <ActionFormFields
                        value={form}
                        onChange={change}
                        actions={RESOLVE_ACTIONS}
                        testIdPrefix="resolve"
                        suggested={suggestion}
                        disabled={!!pending}
                    />
                    {form.action !== 'dismiss' && (
                        <>
                            <TextField
                                select
                                fullWidth
                                size="small"
                                sx={{ mt: 2 }}
                                label="Template"
                                value={templateId}
                                onChange={e => pickTemplate(e.target.value)}
                                disabled={!!pending}
                                slotProps={{
                                    select: { native: true },
                                    inputLabel: { shrink: true },
                                    htmlInput: { 'data-testid': 'resolve-template', name: 'templateId' },
                                }}
                                helperText="Words the notice and the facts; edit the facts below as needed"
                            >
                                <option value="">Standard wording</option>
                                {(templates.data ?? []).map(t => (
                                    <option key={t.id} value={t.id}>
                                        {t.name}
                                        {t.builtIn ? ' (built-in)' : ''}
                                    </option>
                                ))}
                            </TextField>
                            <TextField
                                fullWidth
                                multiline
                                minRows={2}
                                sx={{ mt: 2 }}
                                label="Facts in the statement of reasons"
                                value={facts}
                                onChange={e => {
                                    setError(null);
                                    setFacts(e.target.value);
                                }}
                                disabled={!!pending}
                                slotProps={{
                                    inputLabel: { shrink: true },
                                    htmlInput: { 'data-testid': 'resolve-facts', name: 'facts', maxLength: 2000 },
                                }}
                                placeholder={templateId ? 'Left empty: the template’s facts' : 'Left empty: the standard wording'}
                                helperText="Shown to the person. {{reason}}, {{policy}}, {{handle}}, {{action}}, {{endsAt}} and {{appealUntil}} are filled in."
                            />
                        </>
                    )}
                    {previewTarget && chosen && form.action !== 'dismiss' && (
                        <StatementPreviewPanel target={previewTarget} body={payloadOf()} />
                    )}
                    {!previewTarget && chosen && form.action !== 'dismiss' && (
                        <Alert severity="info" icon={false} sx={{ mt: 2 }} role="note" data-testid="statement-preview-bulk">
                            Each person acted against receives a statement of reasons under “{chosen.title}”, worded from their own reports.
                            Open one report or case to preview it.
                        </Alert>
                    )}
                    {error && (
                        <Alert severity="error" sx={{ mt: 2 }} data-testid="resolve-error">
                            {error}
                        </Alert>
                    )}
                </DialogContent>
                <DialogActions>
                    <Button onClick={onClose} disabled={!!pending}>
                        Cancel
                    </Button>
                    <Button type="submit" variant="contained" disabled={!!pending || ids.length === 0} data-testid="resolve-submit">
                        {pending ? 'Resolving…' : 'Resolve'}
                    </Button>
                </DialogActions>
            </form>
        </Dialog>
    );
};
