import { Alert, Box, Chip, LinearProgress, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Link } from 'react-admin';
import { EnumChip } from '../common/fields';
import type { ApiQuery } from '../common/useApi';
import { errorMessage } from '../lib/errors';
import { humanize, shortValue } from '../lib/format';
import { actionLabel, parseSuggestedAction } from '../lib/ladder';
import { sectionShape, tabulate } from '../lib/tabulate';
import type { ModerationAction, UserHistory, UserHistoryUser, UserRecord } from '@backchannel/client/admin';
import { LiftButton } from '../actions/LiftButton';
import { actionState, spamSignalLines, type SpamSignals } from '../lib/describe';

/** Generic sections, each with what to say when it is empty. */
const SECTIONS: { key: keyof UserHistory; title: string; empty: string }[] = [
    { key: 'reportsAbout', title: 'Reports about this user', empty: 'Nobody has reported this user.' },
    { key: 'appeals', title: 'Appeals', empty: 'This user has not appealed any action.' },
    { key: 'recentRequests', title: 'Recent message requests', empty: 'No message requests to strangers recently.' },
    {
        key: 'pileOnTrips',
        title: 'Pile-on breaker trips (Limits switched on to protect them)',
        empty: 'The pile-on breaker has never tripped for this user.',
    },
    { key: 'reportsBy', title: 'Reports filed by this user', empty: 'This user has not reported anyone.' },
];

const MAX_ROWS = 10;

const cell = (column: string, value: unknown): string => {
    if (typeof value === 'string' && /At$/.test(column)) {
        const date = new Date(value);
        if (!Number.isNaN(date.getTime())) return date.toLocaleString();
    }
    if (column === 'action' || column === 'suggestedAction') return actionLabel(value);
    return shortValue(value, 60);
};

const HistoryTable = ({ value }: { value: unknown }) => {
    const { columns, rows } = tabulate(value);
    return (
        <Box sx={{ overflowX: 'auto' }}>
            <Table size="small">
                <TableHead>
                    <TableRow>
                        {columns.map(column => (
                            <TableCell key={column}>{humanize(column)}</TableCell>
                        ))}
                    </TableRow>
                </TableHead>
                <TableBody>
                    {rows.slice(0, MAX_ROWS).map((row, index) => (
                        <TableRow key={String(row.id ?? index)}>
                            {columns.map(column => (
                                <TableCell key={column} sx={{ maxWidth: 260, wordBreak: 'break-word' }}>
                                    {cell(column, row[column])}
                                </TableCell>
                            ))}
                        </TableRow>
                    ))}
                </TableBody>
            </Table>
            {rows.length > MAX_ROWS && (
                <Typography variant="caption" color="text.secondary">
                    and {rows.length - MAX_ROWS} more
                </Typography>
            )}
        </Box>
    );
};

const KeyValues = ({ value }: { value: Record<string, unknown> }) => (
    <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2, rowGap: 0.5 }}>
        {Object.entries(value).map(([key, item]) => (
            <Box key={key} sx={{ display: 'contents' }}>
                <Typography component="dt" variant="body2" color="text.secondary">
                    {humanize(key)}
                </Typography>
                <Typography component="dd" variant="body2" sx={{ m: 0, wordBreak: 'break-word' }}>
                    {Array.isArray(item) ? item.map(v => shortValue(v, 80)).join(' · ') || '—' : cell(key, item)}
                </Typography>
            </Box>
        ))}
    </Box>
);

export const HistorySection = ({ title, value, empty = 'Nothing here yet.' }: { title: string; value: unknown; empty?: string }) => {
    const shape = sectionShape(value);
    const count = Array.isArray(value) ? value.length : null;
    return (
        <Box sx={{ mb: 2 }} data-testid="history-section">
            <Typography variant="subtitle2" sx={{ mb: 0.5 }}>
                {title}
                {count !== null && count > 0 ? ` (${count})` : ''}
            </Typography>
            {shape === 'empty' && (
                <Typography variant="body2" color="text.secondary">
                    {empty}
                </Typography>
            )}
            {shape === 'scalar' && <Typography variant="body2">{shortValue(value, 200)}</Typography>}
            {shape === 'record' && <KeyValues value={value as Record<string, unknown>} />}
            {shape === 'table' && <HistoryTable value={value} />}
        </Box>
    );
};

/** Status, restriction and suspension of an account, in words. */
export const StandingChips = ({ user }: { user: Partial<Pick<UserRecord, 'status' | 'suspendedUntil' | 'restrictedUntil'>> }) => {
    const at = (v: unknown) => new Date(String(v)).toLocaleString();
    return (
        <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }} data-testid="standing">
            <EnumChip value={user.status} />
            {user.status === 'banned' ? <Chip size="small" color="error" label="banned: cannot sign in or send" /> : null}
            {user.suspendedUntil ? (
                <Chip
                    size="small"
                    variant="outlined"
                    color="warning"
                    label={`suspended until ${at(user.suspendedUntil)}`}
                    data-testid="standing-suspended"
                />
            ) : null}
            {user.restrictedUntil ? (
                <Chip
                    size="small"
                    variant="outlined"
                    color="warning"
                    label={`messaging restricted until ${at(user.restrictedUntil)}`}
                    data-testid="standing-restricted"
                />
            ) : null}
            {user.status === 'active' && !user.restrictedUntil ? (
                <Typography variant="body2" color="text.secondary">
                    no restrictions in force
                </Typography>
            ) : null}
        </Stack>
    );
};

/** Enforcement actions with their state, and "Lift early" on those still in force. */
const ActionsSection = ({ actions, onLifted }: { actions: ModerationAction[] | undefined; onLifted: () => void }) => {
    const rows = Array.isArray(actions) ? actions : [];
    return (
        <Box sx={{ mb: 2 }} data-testid="history-actions">
            <Typography variant="subtitle2" sx={{ mb: 0.5 }}>
                Enforcement actions{rows.length ? ` (${rows.length})` : ''}
            </Typography>
            {rows.length === 0 ? (
                <Typography variant="body2" color="text.secondary">
                    No action has been taken against this user.
                </Typography>
            ) : (
                <Table size="small">
                    <TableHead>
                        <TableRow>
                            <TableCell>Action</TableCell>
                            <TableCell>When</TableCell>
                            <TableCell>State</TableCell>
                            <TableCell>By</TableCell>
                            <TableCell />
                        </TableRow>
                    </TableHead>
                    <TableBody>
                        {rows.slice(0, MAX_ROWS).map(a => (
                            <TableRow key={String(a.id)} data-testid="history-action" data-action={String(a.action)}>
                                <TableCell>
                                    <Link to={`/actions/${encodeURIComponent(String(a.id))}/show`} title={`action id ${String(a.id)}`}>
                                        {actionLabel(a.action)}
                                    </Link>
                                </TableCell>
                                <TableCell>{a.createdAt ? new Date(String(a.createdAt)).toLocaleString() : '—'}</TableCell>
                                <TableCell>{actionState(a).label}</TableCell>
                                <TableCell title={a.staffId ? `staff id ${String(a.staffId)}` : undefined}>
                                    {a.staffName ?? (a.staffId ? 'staff' : 'automatic')}
                                </TableCell>
                                <TableCell align="right">
                                    <LiftButton action={a} onLifted={onLifted} />
                                </TableCell>
                            </TableRow>
                        ))}
                    </TableBody>
                </Table>
            )}
        </Box>
    );
};

const SpamSection = ({ spam }: { spam: unknown }) => (
    <Box sx={{ mb: 2 }} data-testid="spam-signals">
        <Typography variant="subtitle2" sx={{ mb: 0.5 }}>
            Spam signals
        </Typography>
        {spamSignalLines(spam && typeof spam === 'object' ? (spam as SpamSignals) : null).map(line => (
            <Typography key={line} variant="body2">
                {line}
            </Typography>
        ))}
    </Box>
);

/** The subject's profile and moderation history (GET /users/:id/history). */
export const UserHistoryPanel = ({
    userId,
    query,
    showProfile = true,
}: {
    userId: unknown;
    query: ApiQuery<UserHistory>;
    showProfile?: boolean;
}) => {
    if (userId === null || userId === undefined || userId === '') {
        return (
            <Typography variant="body2" color="text.secondary">
                This report has no subject user.
            </Typography>
        );
    }
    if (query.isPending && !query.data) return <LinearProgress />;
    if (query.error) return <Alert severity="error">Could not load the user’s history: {errorMessage(query.error)}</Alert>;
    const history: Partial<UserHistory> = query.data ?? {};
    const user: Partial<UserHistoryUser> = history.user ?? {};
    const suggested = parseSuggestedAction(history.suggestedAction);
    const because = typeof history.suggestedAction?.because === 'string' ? history.suggestedAction.because : null;
    const strikes = typeof history.strikes === 'number' ? history.strikes : user.strikes;

    return (
        <Box data-testid="history">
            {showProfile && (
                <Stack spacing={0.5} sx={{ mb: 2 }}>
                    <Typography variant="h6">
                        <Link to={`/users/${encodeURIComponent(String(userId))}/show`}>
                            {user.handle ? `@${String(user.handle)}` : String(userId)}
                        </Link>
                    </Typography>
                    {user.displayName ? <Typography variant="body2">{String(user.displayName)}</Typography> : null}
                    <StandingChips user={user} />
                </Stack>
            )}
            <Stack direction="row" spacing={1} useFlexGap sx={{ mb: 2, alignItems: 'center', flexWrap: 'wrap' }}>
                <Chip
                    size="small"
                    label={`${typeof strikes === 'number' ? strikes : 0} strike${strikes === 1 ? '' : 's'}`}
                    color={typeof strikes === 'number' && strikes > 0 ? 'warning' : 'default'}
                    data-testid="strikes"
                />
                <Typography variant="body2" color="text.secondary">
                    Suggested:
                </Typography>
                <Chip
                    size="small"
                    color="secondary"
                    label={
                        suggested
                            ? `${actionLabel(suggested.action)}${suggested.durationHours ? ` · ${suggested.durationHours}h` : ''}`
                            : 'no further step'
                    }
                    data-testid="suggested-action"
                    data-action={suggested?.action ?? ''}
                />
                {because ? (
                    <Typography variant="body2" color="text.secondary" data-testid="suggested-because">
                        {because}
                    </Typography>
                ) : null}
            </Stack>
            <HistorySection title={SECTIONS[0].title} value={history.reportsAbout} empty={SECTIONS[0].empty} />
            <ActionsSection actions={history.actions} onLifted={query.refetch} />
            <SpamSection spam={history.spam} />
            {SECTIONS.slice(1).map(section => (
                <HistorySection key={section.key} title={section.title} value={history[section.key]} empty={section.empty} />
            ))}
        </Box>
    );
};
