import { Box, Chip, Stack, Typography } from '@mui/material';
import type { Identifier } from 'react-admin';
import type { UserStanding } from '@backchannel/client/admin';
import { useApiQuery } from '../common/useApi';
import { actionLabel } from '../lib/ladder';

/** GET /admin/v1/users/:id/standing (with the decision about to be taken, when there is one). */
export const useUserStanding = (userId: unknown, decision: { policy?: string; severity?: string } = {}) => {
    const id = userId === null || userId === undefined || userId === '' ? null : String(userId);
    const key = id ? `users/${id}/standing?policy=${decision.policy ?? ''}&severity=${decision.severity ?? ''}` : null;
    return useApiQuery<UserStanding>(key, dp => dp.userStanding(id as Identifier, decision));
};

const day = (at: string) => new Date(at).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/**
 * A person's standing: the strikes in force (each action's, with its policy, severity and
 * expiry) and what the ladder suggests for the next violation. On the user page and beside
 * the resolve form (there with the policy and severity being chosen).
 */
export const StandingPanel = ({ standing, isPending }: { standing: UserStanding | undefined; isPending?: boolean }) => {
    if (!standing) {
        return (
            <Typography variant="body2" color="text.secondary" role="status">
                {isPending ? 'Loading the standing…' : 'No standing to show.'}
            </Typography>
        );
    }
    const s = standing.suggestedAction;
    const suggestion = `${actionLabel(s.action === 'none' ? null : s.action)}${s.durationHours ? ` for ${s.durationHours} h` : ''}`;
    return (
        <Box role="region" aria-label="Standing" data-testid="standing-panel">
            <Typography variant="body2" data-testid="standing-active">
                <strong>{standing.activeStrikes}</strong> active strike{standing.activeStrikes === 1 ? '' : 's'}
            </Typography>
            {standing.strikes.length > 0 && (
                <Stack
                    direction="row"
                    spacing={0.5}
                    useFlexGap
                    sx={{ flexWrap: 'wrap', my: 0.5 }}
                    aria-label="Strikes in force"
                    role="list"
                >
                    {standing.strikes.map(strike => (
                        <Chip
                            key={strike.actionId}
                            role="listitem"
                            size="small"
                            variant="outlined"
                            label={`${strike.policy ?? '—'} · ${strike.severity ?? '—'} ×${strike.count} until ${day(strike.expiresAt)}`}
                        />
                    ))}
                </Stack>
            )}
            <Typography variant="body2" data-testid="standing-suggested">
                Suggested next: <strong>{s.action === 'none' ? 'nothing harsher' : suggestion}</strong>
            </Typography>
            {s.because && (
                <Typography variant="caption" color="text.secondary" component="div">
                    {s.because}
                </Typography>
            )}
        </Box>
    );
};
