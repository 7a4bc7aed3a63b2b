import { Stack, TextField } from '@mui/material';
import type { Policy, ResolveBody } from '@backchannel/client/admin';
import { severityFor } from '../lib/policies';

/** The policy (key) and severity (key) a decision names: ResolveDto's fields, always chosen in the form. */
export type PolicyChoice = Required<Pick<ResolveBody, 'policy' | 'severity'>>;

/**
 * The policy and severity a decision names (API.md v1.2): two native selects, the severity
 * following the policy (a new policy starts at its first severity).
 */
export const PolicyFields = ({
    policies,
    value,
    onChange,
    testIdPrefix,
    disabled,
}: {
    policies: readonly Policy[];
    value: PolicyChoice;
    onChange: (value: PolicyChoice) => void;
    testIdPrefix: string;
    disabled?: boolean;
}) => {
    const policy = policies.find(p => p.key === value.policy);
    return (
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ pt: 1 }}>
            <TextField
                select
                label="Policy"
                id={`${testIdPrefix}-policy`}
                value={value.policy}
                onChange={e => {
                    const next = policies.find(p => p.key === e.target.value);
                    onChange({ policy: e.target.value, severity: severityFor(next) });
                }}
                disabled={disabled}
                fullWidth
                slotProps={{
                    select: { native: true },
                    inputLabel: { shrink: true },
                    htmlInput: { 'data-testid': `${testIdPrefix}-policy`, name: 'policy' },
                }}
            >
                {policies.map(p => (
                    <option key={p.key} value={p.key}>
                        {p.title} ({p.key})
                    </option>
                ))}
            </TextField>
            <TextField
                select
                label="Severity"
                id={`${testIdPrefix}-severity`}
                value={value.severity}
                onChange={e => onChange({ ...value, severity: e.target.value })}
                disabled={disabled || !policy}
                fullWidth
                slotProps={{
                    select: { native: true },
                    inputLabel: { shrink: true },
                    htmlInput: { 'data-testid': `${testIdPrefix}-severity`, name: 'severity' },
                }}
            >
                {(policy?.severities ?? []).map(s => (
                    <option key={s.key} value={s.key}>
                        {s.key}: {s.strikes} strike{s.strikes === 1 ? '' : 's'} for {s.expiryDays} days
                    </option>
                ))}
            </TextField>
        </Stack>
    );
};
