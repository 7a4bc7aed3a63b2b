import { Alert, Box, Chip, Stack, Typography } from '@mui/material';
import { alpha } from '@mui/material/styles';
import { useEffect, useMemo, useRef } from 'react';
import { RawToggle, VerdictChip } from '../common/fields';
import { normalizeEvidence, type EvidenceMessage } from '../lib/evidence';
import { humanize } from '../lib/format';
import type { Report } from '@backchannel/client/admin';

const QUIET_STATES = ['', 'visible', 'active', 'sent', 'delivered', 'normal'];

const time = (value: string) => {
    if (!value) return '';
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
};

/**
 * Every earlier text of an edited message, oldest first, as frozen with the report: an edit
 * cannot launder what the reporter saw.
 */
const VersionHistory = ({ message }: { message: EvidenceMessage }) => (
    <Box data-testid="message-versions" sx={theme => ({ mt: 1, pl: 1, borderLeft: `3px solid ${theme.palette.warning.main}` })}>
        <Typography variant="caption" color="text.secondary">
            Earlier versions ({message.versions.length}), oldest first
        </Typography>
        {message.versions.map((version, index) => (
            <Box key={version.version} data-testid="message-version" sx={{ mt: 0.5 }}>
                {index === 1 && message.versionsOmitted > 0 && (
                    <Typography variant="caption" color="text.secondary" component="div" data-testid="versions-omitted">
                        … {message.versionsOmitted} more versions, not kept in this report …
                    </Typography>
                )}
                <Typography variant="caption" color="text.secondary">
                    v{version.version} · {time(version.writtenAt)} → {time(version.replacedAt)}
                </Typography>
                <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', textDecoration: 'line-through' }}>
                    {version.text || <em>(no text)</em>}
                </Typography>
                {version.links.map((link, index) => (
                    <Stack key={`${link.url}-${index}`} direction="row" spacing={1} sx={{ minWidth: 0, alignItems: 'center' }}>
                        <VerdictChip verdict={link.verdict} title={link.reason || undefined} />
                        <Typography variant="caption" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
                            {link.url || '(unknown url)'}
                        </Typography>
                    </Stack>
                ))}
            </Box>
        ))}
    </Box>
);

const Bubble = ({ message }: { message: EvidenceMessage }) => {
    const left = message.side === 'left';
    return (
        <Box
            sx={{ display: 'flex', justifyContent: left ? 'flex-start' : 'flex-end', my: 0.75 }}
            data-testid={message.primary ? 'reported-message' : message.highlighted ? 'flagged-message' : 'evidence-message'}
            data-message-id={message.id}
            data-highlighted={message.highlighted ? 'true' : 'false'}
        >
            <Box
                sx={theme => ({
                    maxWidth: '75%',
                    px: 1.5,
                    py: 1,
                    borderRadius: 2,
                    borderTopLeftRadius: left ? 4 : 16,
                    borderTopRightRadius: left ? 16 : 4,
                    bgcolor: message.highlighted
                        ? alpha(theme.palette.error.main, 0.12)
                        : left
                          ? theme.palette.action.hover
                          : alpha(theme.palette.primary.main, 0.1),
                    border: message.highlighted ? `2px solid ${theme.palette.error.main}` : '2px solid transparent',
                })}
            >
                <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'baseline', flexWrap: 'wrap' }}>
                    <Typography variant="caption" sx={{ fontWeight: 600 }}>
                        @{message.senderHandle}
                    </Typography>
                    {message.seq !== null && (
                        <Typography variant="caption" color="text.secondary">
                            #{message.seq}
                        </Typography>
                    )}
                    <Typography variant="caption" color="text.secondary">
                        {time(message.createdAt)}
                    </Typography>
                    {!QUIET_STATES.includes(message.state) && <Chip size="small" variant="outlined" label={humanize(message.state)} />}
                    {message.highlighted && <Chip size="small" color="error" label="reported" />}
                    {message.editedAt && (
                        <Chip
                            size="small"
                            variant="outlined"
                            color="warning"
                            label={`edited ${time(message.editedAt)}`}
                            data-testid="edited-chip"
                        />
                    )}
                </Stack>
                <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', mt: 0.5 }}>
                    {message.text || <em>(no text)</em>}
                </Typography>
                {message.versions.length > 0 && <VersionHistory message={message} />}
                {message.links.length > 0 && (
                    <Stack direction="column" spacing={0.5} sx={{ mt: 1 }}>
                        {message.links.map((link, index) => (
                            <Stack key={`${link.url}-${index}`} direction="row" spacing={1} sx={{ minWidth: 0, alignItems: 'center' }}>
                                <VerdictChip verdict={link.verdict} title={link.reason || undefined} />
                                <Typography
                                    variant="caption"
                                    sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
                                    title={link.reason || undefined}
                                >
                                    {link.url || '(unknown url)'}
                                </Typography>
                            </Stack>
                        ))}
                    </Stack>
                )}
            </Box>
        </Box>
    );
};

/** The frozen case snapshot rendered as a conversation. */
export const EvidenceView = ({ report }: { report: Partial<Report> | undefined }) => {
    const evidence = useMemo(() => normalizeEvidence(report), [report]);
    const { conversation, room, participants, messages, subject } = evidence;
    const scroller = useRef<HTMLDivElement>(null);

    // Centre the reported message inside the transcript (without scrolling the page).
    useEffect(() => {
        const container = scroller.current;
        const target = container?.querySelector<HTMLElement>('[data-testid="reported-message"]');
        if (!container || !target) return;
        container.scrollTop = Math.max(0, target.offsetTop - container.clientHeight / 2 + target.clientHeight / 2);
    }, [evidence]);

    return (
        <Box data-testid="evidence">
            {evidence.empty && <Alert severity="info">No evidence snapshot was captured for this report.</Alert>}
            {(conversation || room) && (
                <Stack direction="row" spacing={1} useFlexGap sx={{ mb: 1, alignItems: 'center', flexWrap: 'wrap' }}>
                    {conversation && (
                        <Typography variant="subtitle2">
                            {conversation.title || `${humanize(conversation.kind || 'conversation')} conversation`}
                        </Typography>
                    )}
                    {conversation?.kind && <Chip size="small" variant="outlined" label={humanize(conversation.kind)} />}
                    {conversation?.wasRequest && (
                        <Chip size="small" color="warning" variant="outlined" label="Started as a message request" />
                    )}
                    {room && <Chip size="small" variant="outlined" label={`Room: ${room.title || room.id}`} />}
                    {conversation?.context && (
                        <Typography variant="caption" color="text.secondary" sx={{ wordBreak: 'break-word' }}>
                            Context: {conversation.context}
                        </Typography>
                    )}
                </Stack>
            )}
            {participants.length > 0 && (
                <Stack direction="row" spacing={0.5} useFlexGap sx={{ mb: 1, flexWrap: 'wrap' }}>
                    {participants.map(p => (
                        <Chip
                            key={p.userId || p.handle}
                            size="small"
                            color={p.isSubject ? 'error' : 'default'}
                            variant={p.isSubject ? 'filled' : 'outlined'}
                            label={`@${p.handle || p.userId}${p.state && !QUIET_STATES.includes(p.state) ? ` · ${p.state}` : ''}`}
                        />
                    ))}
                </Stack>
            )}
            {messages.length > 0 ? (
                <Box
                    ref={scroller}
                    sx={{
                        position: 'relative',
                        maxHeight: 560,
                        overflowY: 'auto',
                        pr: 1,
                        border: 1,
                        borderColor: 'divider',
                        borderRadius: 1,
                        p: 1,
                    }}
                >
                    {messages.map(message => (
                        <Bubble key={message.key} message={message} />
                    ))}
                </Box>
            ) : (
                !evidence.empty && (
                    <Typography variant="body2" color="text.secondary">
                        No messages in the snapshot.
                    </Typography>
                )
            )}
            {subject && (
                <Box sx={{ mt: 2 }}>
                    <Typography variant="subtitle2">Subject ({humanize(report?.subjectType)})</Typography>
                    <RawToggle value={subject} label="the subject's raw data" testId="subject-raw" />
                </Box>
            )}
        </Box>
    );
};
