import { Alert, Button, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { useNotify, useRefresh } from 'react-admin';
import type { CaseConversation } from '@backchannel/client/admin';
import { useBackchannel } from '../common/useApi';
import { errorCode, errorMessage } from '../lib/errors';

/** The API's sentence of a refusal, without the machine code the notifications append. */
const sentenceOf = (error: unknown): string => {
    const body = (error as { body?: { message?: unknown } } | null)?.body;
    return typeof body?.message === 'string' && body.message.trim() !== '' ? body.message : errorMessage(error);
};

/**
 * A reported conversation's lock on the case page: its state as the case was read
 * (`CaseDetail.conversations`) and the one action that applies. The click names that state
 * (`expectLocked`), so when another moderator changed it meanwhile the API refuses with a
 * sentence (409 lock_state_changed) instead of acting, and the page reads the case again.
 */
export const ConversationLock = ({ conversation }: { conversation: CaseConversation }) => {
    const dataProvider = useBackchannel();
    const refresh = useRefresh();
    const notify = useNotify();
    const [pending, setPending] = useState(false);
    const [refusal, setRefusal] = useState<string | null>(null);
    const { locked } = conversation;
    const click = async () => {
        setPending(true);
        setRefusal(null);
        try {
            await dataProvider.setConversationLock(conversation.id, {
                locked: !locked,
                note: locked ? 'Unlocked from the case page' : 'Locked from the case page',
                expectLocked: locked,
            });
            const done = locked ? 'Conversation unlocked' : 'Conversation locked';
            notify(done, { type: 'success', messageArgs: { _: done } });
        } catch (error) {
            if (errorCode(error) === 'lock_state_changed') setRefusal(sentenceOf(error));
            else {
                const message = errorMessage(error);
                notify(message, { type: 'error', messageArgs: { _: message } });
            }
        } finally {
            setPending(false);
            refresh();
        }
    };
    return (
        <Stack spacing={0.5} sx={{ mt: 0.5 }} data-testid="conversation-lock">
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <Typography variant="body2" color={locked ? 'warning.main' : 'text.secondary'}>
                    {locked
                        ? `Locked${conversation.lockedAt ? ` since ${new Date(conversation.lockedAt).toLocaleString()}` : ''}`
                        : 'Open: members can write'}
                </Typography>
                <Button size="small" variant={locked ? 'outlined' : 'contained'} color="warning" onClick={click} disabled={pending}>
                    {locked ? 'Unlock conversation' : 'Lock conversation'}
                </Button>
            </Stack>
            {refusal && (
                <Alert severity="warning" onClose={() => setRefusal(null)}>
                    {refusal} The button now shows what you can do.
                </Alert>
            )}
        </Stack>
    );
};
