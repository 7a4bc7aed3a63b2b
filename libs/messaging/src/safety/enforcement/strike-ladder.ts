import { DEFAULT_DURATION_HOURS, type EnforcementAction } from '../vocabulary';

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

/** The decision about to be taken: its policy's severity, whose suggested action is the least the ladder suggests. */
export interface Violation {
  policy: string;
  severity: string;
  suggestedAction: string;
}

const when = (at: string | null | undefined) =>
  at
    ? ` until ${new Date(at)
        .toISOString()
        .replace(/:\d\d\.\d+Z$/, ' UTC')
        .replace('T', ' ')}`
    : '';

/** How harsh an action is: a removal and a warning change no standing. */
const HARSHNESS: Record<string, number> = { remove_content: 0, warn: 0, restrict_messaging: 1, suspend: 2, ban: 3 };
const ACTION_WORDS: Record<string, string> = {
  remove_content: 'a removal',
  warn: 'a warning',
  restrict_messaging: 'a messaging restriction',
  suspend: 'a suspension',
  ban: 'a ban',
};

const timed = (action: EnforcementAction): SuggestedAction =>
  DEFAULT_DURATION_HOURS[action] ? { action, durationHours: DEFAULT_DURATION_HOURS[action] } : { action };

/**
 * The next step for someone with `activeStrikes` strikes in force. Strikes come from the
 * policies: each decision adds its severity's strikes, which expire after the severity's
 * expiryDays (or when the action is lifted), so a severe violation climbs faster and an old
 * one stops counting. The ladder over the strikes in force: 0 → warn, 1 → restrict messaging
 * for a day, 2 → suspend for three days, 3+ → ban. When the decision's severity is known
 * (`violation`), its suggestedAction is the least suggested: a severity that suggests a ban
 * suggests one even on a clean record.
 * It accounts for what is already in force: while banned nothing harsher exists (`none`);
 * a step that what is in force already covers (a restriction or suspension while suspended,
 * a restriction while restricted) becomes a warning, which records the strike without
 * pretending to change the standing. The console preselects it; staff can always choose otherwise.
 */
export function suggestedAction(activeStrikes: number, inForce?: InForce, violation?: Violation): SuggestedAction {
  let step: SuggestedAction =
    activeStrikes <= 0
      ? { action: 'warn' }
      : activeStrikes === 1
        ? timed('restrict_messaging')
        : activeStrikes === 2
          ? timed('suspend')
          : { action: 'ban' };
  const floor = violation?.suggestedAction;
  if (floor !== undefined && floor in HARSHNESS && HARSHNESS[floor] > HARSHNESS[step.action]) {
    step = {
      ...timed(floor as EnforcementAction),
      because: `Policy "${violation!.policy}" at severity "${violation!.severity}" suggests at least ${ACTION_WORDS[floor]}.`,
    };
  }
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
