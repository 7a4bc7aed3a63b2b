import { Box, Chip, Stack, TextField, Typography } from '@mui/material';
import StarIcon from '@mui/icons-material/Star';
import { ACTION_LABELS, durationForAction, ladderSteps, needsDuration, type ResolveFormState } from '../lib/ladder';

export interface ActionFormFieldsProps {
    value: ResolveFormState;
    onChange: (value: ResolveFormState) => void;
    /** allowed actions, mildest first */
    actions: readonly string[];
    /** data-testid prefix: "<prefix>-action", "<prefix>-duration", "<prefix>-note" */
    testIdPrefix: string;
    /** history's suggestedAction: shown on the ladder */
    suggested?: unknown;
    showLadder?: boolean;
    disabled?: boolean;
}

/**
 * Action ladder + native <select> + duration (restrict/suspend only) + note.
 * Shared by the resolve dialog, bulk resolve and the user action form.
 */
export const ActionFormFields = ({
    value,
    onChange,
    actions,
    testIdPrefix,
    suggested,
    showLadder = true,
    disabled,
}: ActionFormFieldsProps) => {
    const steps = ladderSteps(suggested).filter(step => actions.includes(step.action));
    const setAction = (action: string) =>
        onChange({ ...value, action, durationHours: durationForAction(action, needsDuration(value.action) ? value.durationHours : '') });

    return (
        <Stack spacing={2} sx={{ pt: 1 }}>
            {showLadder && (
                <Box>
                    <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 0.5 }}>
                        Enforcement ladder (mildest → harshest)
                    </Typography>
                    <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }} data-testid={`${testIdPrefix}-ladder`}>
                        {steps.map(step => (
                            <Chip
                                key={step.action}
                                size="small"
                                label={step.label}
                                icon={step.suggested ? <StarIcon /> : undefined}
                                color={value.action === step.action ? (step.aboveSuggestion ? 'warning' : 'primary') : 'default'}
                                variant={value.action === step.action ? 'filled' : 'outlined'}
                                onClick={disabled ? undefined : () => setAction(step.action)}
                                data-testid={`ladder-step-${step.action}`}
                                data-suggested={step.suggested ? 'true' : 'false'}
                                title={step.suggested ? 'Suggested from the user’s history' : undefined}
                            />
                        ))}
                    </Stack>
                </Box>
            )}
            <TextField
                select
                label="Action"
                value={value.action}
                onChange={event => setAction(event.target.value)}
                disabled={disabled}
                fullWidth
                slotProps={{
                    select: { native: true },
                    inputLabel: { shrink: true },
                    htmlInput: { 'data-testid': `${testIdPrefix}-action`, name: 'action' },
                }}
            >
                {actions.map(action => (
                    <option key={action} value={action}>
                        {ACTION_LABELS[action] ?? action}
                        {steps.find(step => step.action === action)?.suggested ? ' (suggested)' : ''}
                    </option>
                ))}
            </TextField>
            {needsDuration(value.action) && (
                <TextField
                    type="number"
                    label="Duration (hours)"
                    value={value.durationHours ?? ''}
                    onChange={event => onChange({ ...value, durationHours: event.target.value })}
                    disabled={disabled}
                    required
                    fullWidth
                    slotProps={{
                        htmlInput: { 'data-testid': `${testIdPrefix}-duration`, name: 'durationHours', min: 1, step: 1 },
                        inputLabel: { shrink: true },
                    }}
                    helperText="24 = one day, 168 = one week"
                />
            )}
            <TextField
                label="Note"
                value={value.note}
                onChange={event => onChange({ ...value, note: event.target.value })}
                disabled={disabled}
                multiline
                minRows={2}
                fullWidth
                slotProps={{ htmlInput: { 'data-testid': `${testIdPrefix}-note`, name: 'note', maxLength: 2000 } }}
                helperText="Recorded in the audit log and shown to other staff"
            />
        </Stack>
    );
};
