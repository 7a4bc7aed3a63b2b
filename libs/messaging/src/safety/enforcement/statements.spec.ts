import { assertKnownVariables, renderTemplate, statementFor, templateVariables } from './statements';

describe('statements and templates', () => {
  it('a statement states the ground from the reason and whether an appeal is possible', () => {
    const s = statementFor({
      action: 'suspend',
      reason: 'hate',
      facts: 'f',
      automated: false,
      endsAt: '2030-01-01T00:00:00.000Z',
      appealUntil: null,
    });
    expect(s).toEqual({
      action: 'suspend',
      facts: 'f',
      ground: 'Community Guidelines: hateful conduct',
      automated: false,
      endsAt: '2030-01-01T00:00:00.000Z',
      appeal: { possible: false, until: null },
    });
  });

  it('renders every variable and refuses a template that leaves one unfilled', () => {
    expect(templateVariables('Hi {{handle}}, {{ action }} {{handle}}')).toEqual(['handle', 'action']);
    expect(renderTemplate('Hi {{handle}}: {{action}}', { handle: 'ann', action: 'warn' })).toBe('Hi ann: warn');
    expect(() => renderTemplate('until {{endsAt}}', { endsAt: null })).toThrow(
      expect.objectContaining({ code: 'template_variable_missing', details: { missing: ['endsAt'] } }),
    );
  });

  it('refuses unknown variables when a template is saved', () => {
    expect(() => assertKnownVariables('{{handle}} {{nope}}')).toThrow(expect.objectContaining({ code: 'template_variable_unknown' }));
    expect(() => assertKnownVariables('{{handle}} {{endsAt}}')).not.toThrow();
  });
});
