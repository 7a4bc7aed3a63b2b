import { Alert, Box, Button, Chip, Stack, TextField as MuiTextField, Typography } from '@mui/material';
import { useState } from 'react';
import { errorMessage } from '../lib/errors';
import type { RuleKind, RuleTestResult } from '@backchannel/client/admin';
import { useBackchannel } from '../common/useApi';

/**
 * "Test before saving": runs a sample text against every stored rule (enabled or not) and
 * against the draft in the form (its kind and patterns), through POST /admin/v1/rules/test.
 * Nothing is saved or recorded.
 */
export const RuleTester = ({ kind, patterns }: { kind?: RuleKind; patterns?: string[] }) => {
    const dataProvider = useBackchannel();
    const [text, setText] = useState('');
    const [result, setResult] = useState<RuleTestResult | null>(null);
    const [error, setError] = useState<string | null>(null);
    const draft = kind && patterns && patterns.length ? { kind, patterns } : {};
    const run = async () => {
        setError(null);
        try {
            setResult((await dataProvider.testRules({ text, ...draft })).data);
        } catch (err) {
            setResult(null);
            setError(errorMessage(err));
        }
    };
    return (
        <Box data-testid="rule-tester" sx={{ mt: 2, p: 2, border: 1, borderColor: 'divider', borderRadius: 1, width: '100%' }}>
            <Typography variant="subtitle2">Test a text against all rules</Typography>
            <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
                <MuiTextField
                    size="small"
                    fullWidth
                    label="Sample text"
                    value={text}
                    onChange={e => setText(e.target.value)}
                    slotProps={{ htmlInput: { 'data-testid': 'rule-test-text' } }}
                />
                <Button variant="outlined" onClick={run} disabled={!text} data-testid="rule-test-run">
                    Test
                </Button>
            </Stack>
            {error && (
                <Alert severity="error" sx={{ mt: 1 }}>
                    {error}
                </Alert>
            )}
            {result && (
                <Box sx={{ mt: 1 }} data-testid="rule-test-result">
                    {result.draft && (
                        <Typography variant="body2">
                            This rule: {result.draft.matched ? `matches (${result.draft.pattern})` : 'does not match'}
                        </Typography>
                    )}
                    <Typography variant="body2">Saved rules matching: {result.matches.length === 0 ? 'none' : ''}</Typography>
                    <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', mt: 0.5 }}>
                        {result.matches.map(m => (
                            <Chip
                                key={m.ruleId}
                                size="small"
                                label={`${m.name}: ${m.action}${m.mode === 'dry_run' ? ' (dry run)' : ''}${m.enabled ? '' : ' (off)'} · ${m.pattern}`}
                            />
                        ))}
                    </Stack>
                </Box>
            )}
        </Box>
    );
};
