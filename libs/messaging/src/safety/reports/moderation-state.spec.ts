import { nextCaseState, nextReportState, type ModerationStaff, type Transition } from './moderation-state';

const mod: ModerationStaff = { id: 'm1', role: 'moderator' };
const other: ModerationStaff = { id: 'm2', role: 'moderator' };
const admin: ModerationStaff = { id: 'a1', role: 'admin' };
const code = (t: Transition<unknown>) => (t.refused ? `${t.refused.status} ${t.refused.code}` : t.changed ? 'changed' : 'unchanged');

describe('nextReportState', () => {
  it('claim: an open or escalated report goes to the claimer; again by the holder changes nothing; anyone else gets 409 already_claimed', () => {
    expect(nextReportState({ status: 'open', assigneeId: null }, { type: 'claim', staff: mod })).toEqual({
      changed: true,
      next: { status: 'open', assigneeId: 'm1' },
    });
    expect(nextReportState({ status: 'escalated', assigneeId: null }, { type: 'claim', staff: mod })).toEqual({
      changed: true,
      next: { status: 'escalated', assigneeId: 'm1' },
    });
    expect(code(nextReportState({ status: 'open', assigneeId: 'm1' }, { type: 'claim', staff: mod }))).toBe('unchanged');
    expect(code(nextReportState({ status: 'open', assigneeId: 'm1' }, { type: 'claim', staff: other }))).toBe('409 already_claimed');
    expect(code(nextReportState({ status: 'open', assigneeId: 'm1' }, { type: 'claim', staff: admin }))).toBe('409 already_claimed');
  });

  it('escalate: an open report becomes escalated and unassigned; an escalated one stays as it is', () => {
    expect(nextReportState({ status: 'open', assigneeId: 'm2' }, { type: 'escalate', staff: mod, note: null })).toEqual({
      changed: true,
      next: { status: 'escalated', assigneeId: null },
    });
    expect(code(nextReportState({ status: 'escalated', assigneeId: null }, { type: 'escalate', staff: mod, note: 'x' }))).toBe('unchanged');
  });

  it('resolve: by the holder, by anyone when unclaimed, by an admin over a claim; another moderator gets 409 already_claimed', () => {
    expect(nextReportState({ status: 'open', assigneeId: null }, { type: 'resolve', staff: mod })).toEqual({
      changed: true,
      next: { status: 'resolved', assigneeId: 'm1' },
    });
    expect(nextReportState({ status: 'escalated', assigneeId: 'm1' }, { type: 'resolve', staff: mod })).toEqual({
      changed: true,
      next: { status: 'resolved', assigneeId: 'm1' },
    });
    expect(nextReportState({ status: 'open', assigneeId: 'm1' }, { type: 'resolve', staff: admin })).toEqual({
      changed: true,
      next: { status: 'resolved', assigneeId: 'm1' },
    });
    expect(code(nextReportState({ status: 'open', assigneeId: 'm1' }, { type: 'resolve', staff: other }))).toBe('409 already_claimed');
  });

  it('a resolved report refuses every event with 409 conflict', () => {
    for (const event of [
      { type: 'claim', staff: mod },
      { type: 'escalate', staff: mod, note: null },
      { type: 'resolve', staff: admin },
    ] as const) {
      const t = nextReportState({ status: 'resolved', assigneeId: 'm1' }, event);
      expect(code(t)).toBe('409 conflict');
      expect(t.refused?.message).toBe('This report is already resolved.');
    }
  });
});

describe('nextCaseState', () => {
  const active = { role: 'moderator', disabled: false };
  it('claim: an open case goes to the claimer; again by the holder changes nothing; anyone else gets 409 already_claimed', () => {
    expect(nextCaseState({ status: 'open', assigneeId: null }, { type: 'claim', staff: mod })).toEqual({
      changed: true,
      next: { status: 'open', assigneeId: 'm1' },
    });
    expect(code(nextCaseState({ status: 'open', assigneeId: 'm1' }, { type: 'claim', staff: mod }))).toBe('unchanged');
    const taken = nextCaseState({ status: 'open', assigneeId: 'm1' }, { type: 'claim', staff: other });
    expect(code(taken)).toBe('409 already_claimed');
    expect(taken.refused?.message).toBe('Another moderator has claimed this case.');
  });

  it('assign: hands the case to an active moderator or admin, or back to the queue; the same assignee changes nothing', () => {
    expect(
      nextCaseState({ status: 'open', assigneeId: 'm1' }, { type: 'assign', staff: admin, assigneeId: 'm2', assignee: active }),
    ).toEqual({ changed: true, next: { status: 'open', assigneeId: 'm2' } });
    expect(nextCaseState({ status: 'open', assigneeId: 'm1' }, { type: 'assign', staff: admin, assigneeId: null, assignee: null })).toEqual(
      { changed: true, next: { status: 'open', assigneeId: null } },
    );
    expect(
      code(nextCaseState({ status: 'open', assigneeId: 'm2' }, { type: 'assign', staff: admin, assigneeId: 'm2', assignee: active })),
    ).toBe('unchanged');
    expect(
      code(nextCaseState({ status: 'open', assigneeId: null }, { type: 'assign', staff: admin, assigneeId: null, assignee: null })),
    ).toBe('unchanged');
  });

  it('assign refuses an unknown, disabled or triage assignee with 422 unprocessable', () => {
    const to = (assignee: { role: string; disabled: boolean } | null) =>
      nextCaseState({ status: 'open', assigneeId: null }, { type: 'assign', staff: admin, assigneeId: 'x', assignee });
    expect(code(to(null))).toBe('422 unprocessable');
    expect(code(to({ role: 'moderator', disabled: true }))).toBe('422 unprocessable');
    expect(to({ role: 'triage', disabled: false }).refused?.message).toBe('A case can only be assigned to a moderator or an admin.');
  });

  it('resolve: by the holder, when unclaimed, or by an admin; another moderator gets 409 already_claimed', () => {
    expect(nextCaseState({ status: 'open', assigneeId: null }, { type: 'resolve', staff: mod })).toEqual({
      changed: true,
      next: { status: 'resolved', assigneeId: 'm1' },
    });
    expect(nextCaseState({ status: 'open', assigneeId: 'm1' }, { type: 'resolve', staff: admin })).toEqual({
      changed: true,
      next: { status: 'resolved', assigneeId: 'm1' },
    });
    expect(code(nextCaseState({ status: 'open', assigneeId: 'm1' }, { type: 'resolve', staff: other }))).toBe('409 already_claimed');
  });

  it('a resolved case refuses every event with 409 conflict, before looking at the assignee', () => {
    for (const event of [
      { type: 'claim', staff: mod },
      { type: 'assign', staff: admin, assigneeId: 'x', assignee: null },
      { type: 'resolve', staff: admin },
    ] as const) {
      const t = nextCaseState({ status: 'resolved', assigneeId: 'm1' }, event);
      expect(code(t)).toBe('409 conflict');
      expect(t.refused?.message).toBe('This case is already resolved.');
    }
  });
});
