import type { EnforcementAction } from '../vocabulary';

/** A strike stops counting after this many days (unless an appeal lifts it sooner). */
export const STRIKE_DECAY_DAYS = 90;

export interface SuggestedAction {
  /** `none`: nothing on the ladder would change anything (the account is banned). */
  action: EnforcementAction | 'none';
  durationHours?: number;
  /** Why the ladder's step was changed, in words for the console; absent when it was not. */
  because?: string;
}

/** What is in force on the account right now (the user row's standing). */
export interface InForce {
  status: string;
  suspendedUntil?: string | null;
  restrictedUntil?: string | null;
}

const when = (at: string | null | undefined) =>
  at
    ? ` until ${new Date(at)
        .toISOString()
        .replace(/:\d\d\.\d+Z$/, ' UTC')
        .replace('T', ' ')}`
    : '';

/**
 * The next step of the enforcement ladder for someone with `activeStrikes` strikes:
 * 0 → warn, 1 → restrict messaging for a day, 2 → suspend for three days, 3+ → ban.
 * It accounts for what is already in force: while banned nothing harsher exists (`none`);
 * a step that what is in force already covers (a restriction or suspension while suspended,
 * a restriction while restricted) becomes a warning, which records the strike without
 * pretending to change the standing. The console preselects it; staff can always choose otherwise.
 */
export function suggestedAction(activeStrikes: number, inForce?: InForce): SuggestedAction {
  const step: SuggestedAction =
    activeStrikes <= 0
      ? { action: 'warn' }
      : activeStrikes === 1
        ? { action: 'restrict_messaging', durationHours: 24 }
        : activeStrikes === 2
          ? { action: 'suspend', durationHours: 72 }
          : { action: 'ban' };
  if (!inForce) return step;
  if (inForce.status === 'banned')
    return { action: 'none', because: 'Already banned: nothing on the ladder is harsher. Lift the ban to change it.' };
  const suspended = inForce.status === 'suspended';
  if (suspended && (step.action === 'restrict_messaging' || step.action === 'suspend')) {
    return { action: 'warn', because: `Already suspended${when(inForce.suspendedUntil)}: a warning records the strike.` };
  }
  if (inForce.restrictedUntil && step.action === 'restrict_messaging') {
    return { action: 'warn', because: `Already restricted${when(inForce.restrictedUntil)}: a warning records the strike.` };
  }
  return step;
}
