import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, TextField, Typography } from '@mui/material';
import { useEffect, useState, type FormEvent } from 'react';
import { useGetList, type Identifier } from 'react-admin';
import { ActionFormFields } from '../common/ActionFormFields';
import { useBackchannel, useRunner } from '../common/useApi';
import { buildActionPayload, initialResolveState, RESOLVE_ACTIONS, validateActionForm, type ResolveFormState } from '../lib/ladder';
import { useUserHistory } from '../users/useUserHistory';

export interface ResolveDialogProps {
    open: boolean;
    onClose: () => void;
    /** the report(s) to resolve */
    ids: Identifier[];
    /** POST /reports/bulk-resolve (default: when more than one id) instead of POST /reports/:id/resolve */
    bulk?: boolean;
    /** suggestedAction from the subject's history, if already loaded */
    suggested?: unknown;
    /** when `suggested` is not given, fetch the history of this user */
    subjectUserId?: unknown;
    onResolved?: () => void;
    /** Resolve this case (every open report in it) instead of the report ids. */
    caseId?: Identifier;
}

export const ResolveDialog = ({ open, onClose, ids, bulk: bulkProp, suggested, subjectUserId, onResolved, caseId }: ResolveDialogProps) => {
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const needsHistory = open && suggested === undefined && ids.length === 1 && !!subjectUserId;
    const history = useUserHistory(needsHistory ? subjectUserId : null);
    const suggestion = suggested !== undefined ? suggested : history.data?.suggestedAction;

    const [form, setForm] = useState<ResolveFormState>(() => initialResolveState(suggestion));
    const [touched, setTouched] = useState(false);
    const [templateId, setTemplateId] = useState('');
    const templates = useGetList<{ id: string; name: string }>(
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

    const submit = async (event: FormEvent) => {
        event.preventDefault();
        const problem = validateActionForm(form);
        if (problem) {
            setError(problem);
            return;
        }
        const payload = { ...buildActionPayload(form), ...(templateId ? { templateId } : {}) };
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
                    {needsHistory && history.isPending && (
                        <Typography variant="caption" color="text.secondary">
                            Loading the suggested action…
                        </Typography>
                    )}
                    <ActionFormFields
                        value={form}
                        onChange={change}
                        actions={RESOLVE_ACTIONS}
                        testIdPrefix="resolve"
                        suggested={suggestion}
                        disabled={!!pending}
                    />
                    {(templates.data?.length ?? 0) > 0 && (
                        <TextField
                            select
                            fullWidth
                            size="small"
                            sx={{ mt: 2 }}
                            label="Notice template (optional)"
                            value={templateId}
                            onChange={e => setTemplateId(e.target.value)}
                            disabled={!!pending}
                            slotProps={{ htmlInput: { 'data-testid': 'resolve-template' } }}
                        >
                            <MenuItem value="">Default wording</MenuItem>
                            {templates.data!.map(t => (
                                <MenuItem key={t.id} value={t.id}>
                                    {t.name}
                                </MenuItem>
                            ))}
                        </TextField>
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
