import { Alert, Box, Typography } from '@mui/material';
import { describeBlocklistEntry } from '../lib/describe';

/** What the entry will match, before saving: the host kept from a pasted URL, subdomains, www. and punycode. */
export const BlocklistMatches = ({ pattern, kind }: { pattern: unknown; kind: unknown }) => {
    const d = describeBlocklistEntry(kind ?? 'domain', pattern);
    if (!d) return null;
    return (
        <Box data-testid="blocklist-matches" data-pattern={d.pattern} sx={{ mb: 1, width: '100%', maxWidth: 720 }}>
            <Typography variant="subtitle2">Will be saved as</Typography>
            <Typography variant="body2" sx={{ fontFamily: 'monospace' }} data-testid="blocklist-pattern">
                {d.pattern}
                {d.unicode ? <span data-testid="blocklist-unicode">{`  (reads as ${d.unicode})`}</span> : null}
            </Typography>
            <Typography variant="subtitle2" sx={{ mt: 1 }}>
                It blocks
            </Typography>
            <Box component="ul" sx={{ m: 0, pl: 2 }}>
                {d.matches.map(m => (
                    <Typography component="li" variant="body2" key={m}>
                        {m}
                    </Typography>
                ))}
            </Box>
            {d.warnings.map(w => (
                <Alert severity="warning" key={w} sx={{ mt: 1 }} data-testid="blocklist-warning">
                    {w}
                </Alert>
            ))}
        </Box>
    );
};
