import { Alert, Box, LinearProgress, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { StatementPreview } from '@backchannel/client/admin';
import { useApiQuery } from '../common/useApi';
import type { ActionBody, PreviewTarget } from '../lib/api';
import { errorMessage } from '../lib/errors';

/** The body settles for a moment before it is previewed, so typing in the facts does not send a request per key. */
const SETTLE_MS = 350;

function useSettled<T>(value: T): T {
    const [settled, setSettled] = useState(value);
    const key = JSON.stringify(value);
    useEffect(() => {
        const timer = window.setTimeout(() => setSettled(value), SETTLE_MS);
        return () => window.clearTimeout(timer);
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [key]);
    return settled;
}

const when = (at: string | null | undefined) => (at ? new Date(at).toLocaleString() : '');

/**
 * The statement of reasons the subject will receive, as the server words it for this body
 * (POST /cases|reports/:id/statement-preview runs the resolve's own wording): the console
 * shows it and never words a statement itself.
 */
export const StatementPreviewPanel = ({ target, body }: { target: PreviewTarget; body: ActionBody | null }) => {
    const settled = useSettled(body);
    const preview = useApiQuery<StatementPreview>(
        settled ? `statement-preview:${target.kind}:${target.id}:${JSON.stringify(settled)}` : null,
        dp => dp.statementPreview(target, settled!),
    );
    if (!body) return null;
    const stale = JSON.stringify(settled) !== JSON.stringify(body);
    const s = preview.data?.statement;
    return (
        <Box role="region" aria-label="Statement preview" data-testid="statement-preview" sx={{ mt: 2 }}>
            <Typography variant="subtitle2">What the person will receive</Typography>
            {(preview.isPending || stale) && <LinearProgress aria-label="Updating the preview" sx={{ my: 0.5 }} />}
            {preview.error ? (
                <Alert severity="warning" data-testid="statement-preview-error">
                    This decision cannot be sent as it stands: {errorMessage(preview.error)}
                </Alert>
            ) : (
                s &&
                preview.data && (
                    <Alert
                        severity="info"
                        icon={false}
                        role="note"
                        aria-label="Statement of reasons"
                        data-ready={stale ? 'false' : 'true'}
                        data-testid="statement-preview-body"
                    >
                        <dl style={{ margin: 0 }}>
                            <Typography component="dt" variant="caption" color="text.secondary">
                                Facts
                            </Typography>
                            <Typography component="dd" variant="body2" sx={{ m: 0, mb: 1 }} data-testid="preview-facts">
                                {s.facts}
                            </Typography>
                            <Typography component="dt" variant="caption" color="text.secondary">
                                Ground
                            </Typography>
                            <Typography component="dd" variant="body2" sx={{ m: 0, mb: 1 }} data-testid="preview-ground">
                                {s.ground}
                            </Typography>
                            <Typography component="dt" variant="caption" color="text.secondary">
                                Policy and severity
                            </Typography>
                            <Typography component="dd" variant="body2" sx={{ m: 0, mb: 1 }} data-testid="preview-policy">
                                {preview.data.policy} · {preview.data.severity}
                            </Typography>
                            <Typography component="dt" variant="caption" color="text.secondary">
                                Decision
                            </Typography>
                            <Typography component="dd" variant="body2" sx={{ m: 0, mb: 1 }}>
                                {s.action.replace(/_/g, ' ')}
                                {s.endsAt ? `, until about ${when(s.endsAt)}` : ''}
                                {s.appeal.possible ? `; appealable until about ${when(s.appeal.until)}` : '; not appealable'}
                            </Typography>
                            <Typography component="dt" variant="caption" color="text.secondary">
                                Notice
                            </Typography>
                            <Typography component="dd" variant="body2" sx={{ m: 0 }} data-testid="preview-notice">
                                {preview.data.notice}
                            </Typography>
                        </dl>
                    </Alert>
                )
            )}
        </Box>
    );
};
