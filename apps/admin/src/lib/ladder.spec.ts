import {
    actionLabel,
    buildActionPayload,
    durationForAction,
    initialResolveState,
    ladderSteps,
    needsDuration,
    parseSuggestedAction,
    RESOLVE_ACTIONS,
    USER_ACTIONS,
    validateActionForm,
} from './ladder';

describe('enforcement ladder', () => {
    it('orders actions mildest to harshest', () => {
        expect(RESOLVE_ACTIONS).toEqual(['dismiss', 'remove_content', 'warn', 'restrict_messaging', 'suspend', 'ban']);
        expect(USER_ACTIONS).toEqual(['warn', 'restrict_messaging', 'suspend', 'ban']);
    });

    it('labels actions, including unknown ones', () => {
        expect(actionLabel('restrict_messaging')).toBe('Restrict messaging');
        expect(actionLabel('lift_ban')).toBe('lift ban');
        expect(actionLabel(null)).toBe('—');
    });

    it('requires a duration for restrict and suspend only', () => {
        expect(needsDuration('restrict_messaging')).toBe(true);
        expect(needsDuration('suspend')).toBe(true);
        expect(needsDuration('ban')).toBe(false);
        expect(needsDuration('warn')).toBe(false);
    });

    it('parses suggestions given as a name or an object', () => {
        expect(parseSuggestedAction('warn')).toEqual({ action: 'warn' });
        expect(parseSuggestedAction({ action: 'suspend', durationHours: 48 })).toEqual({
            action: 'suspend',
            durationHours: 48,
        });
        expect(parseSuggestedAction({ action: 'suspend', durationHours: 'x' })).toEqual({ action: 'suspend' });
        expect(parseSuggestedAction('nuke')).toBeNull();
        expect(parseSuggestedAction(null)).toBeNull();
        expect(parseSuggestedAction(undefined)).toBeNull();
    });

    it('marks the suggested rung and the harsher ones', () => {
        const steps = ladderSteps('warn');
        expect(steps.map(s => s.suggested)).toEqual([false, false, true, false, false, false]);
        expect(steps.map(s => s.aboveSuggestion)).toEqual([false, false, false, true, true, true]);
        expect(ladderSteps(null).some(s => s.suggested || s.aboveSuggestion)).toBe(false);
    });

    it('preselects the suggestion with its default duration', () => {
        expect(initialResolveState('restrict_messaging')).toEqual({
            action: 'restrict_messaging',
            durationHours: '24',
            note: '',
        });
        expect(initialResolveState({ action: 'suspend', durationHours: 168 }).durationHours).toBe('168');
        expect(initialResolveState('ban')).toEqual({ action: 'ban', durationHours: '', note: '' });
        expect(initialResolveState(undefined).action).toBe('dismiss');
    });

    it('fills in a duration when switching to a time-boxed action', () => {
        expect(durationForAction('suspend', '')).toBe('72');
        expect(durationForAction('suspend', '12')).toBe('12');
        expect(durationForAction('ban', '12')).toBe('');
    });

    it('validates the form', () => {
        expect(validateActionForm({ action: 'warn', durationHours: '', note: '' })).toBeNull();
        expect(validateActionForm({ action: 'nope', durationHours: '', note: '' })).toMatch(/action/);
        expect(validateActionForm({ action: 'suspend', durationHours: '', note: '' })).toMatch(/required/);
        expect(validateActionForm({ action: 'suspend', durationHours: '0', note: '' })).toMatch(/above 0/);
        expect(validateActionForm({ action: 'suspend', durationHours: '1.5', note: '' })).toMatch(/whole/);
        expect(validateActionForm({ action: 'suspend', durationHours: 'abc', note: '' })).toMatch(/whole/);
        expect(validateActionForm({ action: 'suspend', durationHours: 24, note: 'ok' })).toBeNull();
        expect(validateActionForm({ action: 'dismiss', durationHours: '', note: '' }, USER_ACTIONS)).toMatch(/action/);
    });

    it('builds payloads with durationHours only when relevant', () => {
        expect(buildActionPayload({ action: 'suspend', durationHours: '48', note: ' spam wave ' })).toEqual({
            action: 'suspend',
            durationHours: 48,
            note: 'spam wave',
        });
        expect(buildActionPayload({ action: 'ban', durationHours: '48', note: '' })).toEqual({ action: 'ban', note: '' });
    });
});
