import type { EnforcementAction } from './vocabulary';

/** A strike stops counting after this many days (unless an appeal lifts it sooner). */
export const STRIKE_DECAY_DAYS = 90;

export interface SuggestedAction {
  action: EnforcementAction;
  durationHours?: number;
}

/**
 * The next step of the enforcement ladder for someone with `activeStrikes` strikes:
 * 0 → warn, 1 → restrict messaging for a day, 2 → suspend for three days, 3+ → ban.
 * The console preselects it; staff can always choose otherwise.
 */
export function suggestedAction(activeStrikes: number): SuggestedAction {
  if (activeStrikes <= 0) return { action: 'warn' };
  if (activeStrikes === 1) return { action: 'restrict_messaging', durationHours: 24 };
  if (activeStrikes === 2) return { action: 'suspend', durationHours: 72 };
  return { action: 'ban' };
}
