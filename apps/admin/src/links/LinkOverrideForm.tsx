import { Button, Stack, TextField } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { useRecordContext } from 'react-admin';
import { useBackchannel, useRunner } from '../common/useApi';
import { humanize } from '../lib/format';
import { LINK_LABELS, type LinkLabel, type LinkRecord } from '@backchannel/client/admin';

/** PUT /admin/v1/links/:id {verdict, reason} */
export const LinkOverrideForm = () => {
    const record = useRecordContext<LinkRecord>();
    const dataProvider = useBackchannel();
    const { run, pending } = useRunner();
    const [verdict, setVerdict] = useState<LinkLabel>(record && record.verdict !== 'pending' ? record.verdict : 'safe');
    const [reason, setReason] = useState('');
    if (!record) return null;

    const submit = async (event: FormEvent) => {
        event.preventDefault();
        await run('override', () => dataProvider.overrideLink(record.id, { verdict, reason: reason.trim() }), {
            success: `Verdict set to ${verdict}`,
        });
        setReason('');
    };

    return (
        <form onSubmit={submit} noValidate data-testid="link-override-form">
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'flex-start' } }}>
                <TextField
                    select
                    label="Verdict"
                    value={verdict}
                    onChange={event => setVerdict(LINK_LABELS.find(v => v === event.target.value) ?? 'safe')}
                    sx={{ minWidth: 180 }}
                    slotProps={{
                        select: { native: true },
                        inputLabel: { shrink: true },
                        htmlInput: { 'data-testid': 'link-verdict-select', name: 'verdict' },
                    }}
                >
                    {LINK_LABELS.map(v => (
                        <option key={v} value={v}>
                            {humanize(v)}
                        </option>
                    ))}
                </TextField>
                <TextField
                    label="Reason"
                    value={reason}
                    onChange={event => setReason(event.target.value)}
                    fullWidth
                    required
                    slotProps={{ htmlInput: { 'data-testid': 'link-reason', name: 'reason', maxLength: 500 } }}
                />
                <Button
                    type="submit"
                    variant="contained"
                    disabled={!!pending || reason.trim() === ''}
                    data-testid="link-override-submit"
                    sx={{ whiteSpace: 'nowrap', mt: 1 }}
                >
                    Override verdict
                </Button>
            </Stack>
        </form>
    );
};
