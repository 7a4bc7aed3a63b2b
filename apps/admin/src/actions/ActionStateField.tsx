import { Chip } from '@mui/material';
import { useRecordContext } from 'react-admin';
import type { FieldProps } from '../common/fields';
import { actionState } from '../lib/describe';

/** "In force until …" / "Lifted …" / "Ended …" for an action. */
export const ActionStateField = (_props: FieldProps) => {
    const record = useRecordContext();
    if (!record) return null;
    const state = actionState(record as Record<string, unknown>);
    return (
        <Chip
            size="small"
            variant="outlined"
            color={state.inForce ? 'warning' : 'default'}
            label={state.label}
            data-testid="action-state"
        />
    );
};
