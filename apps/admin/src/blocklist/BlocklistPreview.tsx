import { Alert, Box, LinearProgress, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useApiQuery } from '../common/useApi';
import { errorMessage } from '../lib/errors';
import { BLOCKLIST_KINDS, type BlocklistKind, type BlocklistPreview as Preview } from '@backchannel/client/admin';

const DEBOUNCE_MS = 350;

/** Live GET /admin/v1/blocklist/preview?pattern=&kind= while the form is edited. */
export const BlocklistPreview = ({ pattern, kind }: { pattern: unknown; kind: unknown }) => {
    const text = typeof pattern === 'string' ? pattern.trim() : '';
    const k: BlocklistKind = BLOCKLIST_KINDS.find(value => value === kind) ?? 'domain';
    const [debounced, setDebounced] = useState({ text, k });
    useEffect(() => {
        const timer = window.setTimeout(() => setDebounced({ text, k }), DEBOUNCE_MS);
        return () => window.clearTimeout(timer);
    }, [text, k]);

    const key = debounced.text.length >= 3 ? `blocklist/preview/${debounced.k}/${debounced.text}` : null;
    const query = useApiQuery<Preview>(key, dp => dp.previewBlocklist({ pattern: debounced.text, kind: debounced.k }));
    const matches = typeof query.data?.matches === 'number' ? query.data.matches : null;
    const sample = Array.isArray(query.data?.sample) ? query.data.sample : [];

    return (
        <Box data-testid="blocklist-preview" data-matches={matches ?? ''} sx={{ mt: 1, mb: 2, width: '100%', maxWidth: 720 }}>
            <Typography variant="subtitle2">Preview</Typography>
            {key === null && (
                <Typography variant="body2" color="text.secondary">
                    Type at least 3 characters to see which known links would match.
                </Typography>
            )}
            {key !== null && query.isPending && <LinearProgress sx={{ my: 1 }} />}
            {key !== null && !!query.error && <Alert severity="error">{errorMessage(query.error)}</Alert>}
            {key !== null && !query.isPending && matches !== null && (
                <>
                    <Typography
                        variant="body2"
                        color={matches > 0 ? 'warning.main' : 'text.secondary'}
                        data-testid="blocklist-preview-count"
                    >
                        {matches} known link{matches === 1 ? '' : 's'} would be blocked
                    </Typography>
                    {sample.length > 0 && (
                        <Box component="ul" sx={{ m: 0, pl: 2 }}>
                            {sample.map((url, index) => (
                                <Typography
                                    component="li"
                                    key={`${url}-${index}`}
                                    variant="caption"
                                    sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
                                >
                                    {String(url)}
                                </Typography>
                            ))}
                        </Box>
                    )}
                </>
            )}
        </Box>
    );
};
