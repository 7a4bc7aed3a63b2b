import { Chip, Typography } from '@mui/material';
import { useRecordContext } from 'react-admin';
import type { Report } from '@backchannel/client/admin';
import { useApiQuery, useRole } from '../common/useApi';
import { atLeast } from '../lib/roles';
import { formatPrecision } from '../lib/precision';

/** The reporter's precision beside their report (DSA Art. 23): how often their decided reports were upheld. */
export const ReporterPrecisionField = (_props: { label?: string; sortable?: boolean }) => {
    const record = useRecordContext<Report>();
    // GET /admin/v1/reporters/:id is for moderators and up.
    const allowed = atLeast(useRole(), 'moderator');
    const reporterId = record?.reporterId ?? null;
    const query = useApiQuery(allowed && reporterId ? `reporter-precision:${reporterId}` : null, dp => dp.reporterPrecision(reporterId!));
    if (!reporterId || !allowed)
        return (
            <Typography variant="body2" color="text.secondary">
                —
            </Typography>
        );
    if (!query.data) return null;
    const { label, color } = formatPrecision(query.data);
    return <Chip size="small" variant="outlined" color={color} label={label} data-testid="reporter-precision" />;
};
