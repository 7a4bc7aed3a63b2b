import { isStrictYmd, validateBatch, validateStatement } from './statement-validator';

/** A statement the database accepts: every case below changes one thing in it. */
const base = (): Record<string, unknown> => ({
  decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
  decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
  incompatible_content_ground: 'Community Guidelines: spam',
  incompatible_content_explanation: 'Unsolicited bulk messages.',
  content_type: ['CONTENT_TYPE_TEXT'],
  category: 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD',
  decision_facts: 'A moderator reviewed a report and found spam.',
  source_type: 'SOURCE_ARTICLE_16',
  automated_detection: 'No',
  automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
  content_date: '2026-12-01',
  application_date: '2026-12-02',
  puid: 'bc-action-0f1e2d3c',
});
const errorsOf = (patch: Record<string, unknown>, drop: string[] = []) => {
  const s = { ...base(), ...patch };
  for (const k of drop) delete s[k];
  return validateStatement(s).errors;
};

describe('the EU Transparency Database statement validator (its StatementStoreRequest rules)', () => {
  it('accepts a complete statement and lists nothing as ignored', () => {
    expect(validateStatement(base())).toEqual({ valid: true, errors: {}, ignored: [] });
  });

  it('needs at least one of decision_visibility / _monetary / _provision / _account', () => {
    const e = errorsOf({}, ['decision_visibility']);
    expect(Object.keys(e).sort()).toEqual(['decision_account', 'decision_monetary', 'decision_provision', 'decision_visibility']);
    expect(errorsOf({ decision_visibility: [] })).toHaveProperty('decision_visibility');
    expect(errorsOf({ decision_account: 'DECISION_ACCOUNT_SUSPENDED' }, ['decision_visibility'])).toEqual({});
    expect(errorsOf({ decision_provision: 'DECISION_PROVISION_PARTIAL_SUSPENSION', decision_visibility: null })).toEqual({});
    expect(errorsOf({ decision_monetary: 'DECISION_MONETARY_OTHER' }, ['decision_visibility'])).toHaveProperty('decision_monetary_other');
  });

  it('checks every decision value against its list, and each element of decision_visibility', () => {
    expect(errorsOf({ decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED', 'REMOVED'] })).toEqual({
      decision_visibility: ['The selected decision visibility is invalid.'],
    });
    expect(errorsOf({ decision_visibility: 'DECISION_VISIBILITY_CONTENT_REMOVED' })).toHaveProperty('decision_visibility');
    expect(errorsOf({ decision_account: 'DECISION_ACCOUNT_BANNED' })).toHaveProperty('decision_account');
    expect(errorsOf({ decision_provision: 'Partial suspension of the provision of the service' })).toHaveProperty('decision_provision');
  });

  it('DECISION_VISIBILITY_OTHER needs decision_visibility_other (at most 500 characters)', () => {
    expect(errorsOf({ decision_visibility: ['DECISION_VISIBILITY_OTHER'] })).toHaveProperty('decision_visibility_other');
    expect(errorsOf({ decision_visibility: ['DECISION_VISIBILITY_OTHER'], decision_visibility_other: 'x'.repeat(500) })).toEqual({});
    expect(errorsOf({ decision_visibility: ['DECISION_VISIBILITY_OTHER'], decision_visibility_other: 'x'.repeat(501) })).toHaveProperty(
      'decision_visibility_other',
    );
    // Without OTHER the field is excluded, whatever it holds.
    expect(errorsOf({ decision_visibility_other: 'x'.repeat(900) })).toEqual({});
  });

  it('decision_ground: incompatible content needs its ground and explanation; illegal content needs its two', () => {
    expect(Object.keys(errorsOf({}, ['incompatible_content_ground', 'incompatible_content_explanation'])).sort()).toEqual([
      'incompatible_content_explanation',
      'incompatible_content_ground',
    ]);
    const illegal = errorsOf({ decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT' });
    expect(Object.keys(illegal).sort()).toEqual(['illegal_content_explanation', 'illegal_content_legal_ground']);
    expect(
      errorsOf({
        decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
        illegal_content_legal_ground: 'Law',
        illegal_content_explanation: 'Why',
      }),
    ).toEqual({});
    expect(errorsOf({ decision_ground: 'DECISION_GROUND_TOS' })).toHaveProperty('decision_ground');
    expect(errorsOf({}, ['decision_ground'])).toEqual({ decision_ground: ['The decision ground field is required.'] });
    expect(errorsOf({ incompatible_content_ground: 'g'.repeat(501) })).toHaveProperty('incompatible_content_ground');
    expect(errorsOf({ incompatible_content_explanation: 'e'.repeat(2001) })).toHaveProperty('incompatible_content_explanation');
    expect(errorsOf({ incompatible_content_explanation: 'e'.repeat(2000) })).toEqual({});
    expect(errorsOf({ incompatible_content_illegal: 'Maybe' })).toHaveProperty('incompatible_content_illegal');
    expect(errorsOf({ incompatible_content_illegal: 'No' })).toEqual({});
  });

  it('content_type is a required array of known types; CONTENT_TYPE_OTHER needs content_type_other', () => {
    expect(errorsOf({ content_type: [] })).toHaveProperty('content_type');
    expect(errorsOf({ content_type: 'CONTENT_TYPE_TEXT' })).toHaveProperty('content_type');
    expect(errorsOf({ content_type: ['CONTENT_TYPE_MESSAGE'] })).toHaveProperty('content_type');
    expect(errorsOf({ content_type: ['CONTENT_TYPE_TEXT', 'CONTENT_TYPE_OTHER'] })).toHaveProperty('content_type_other');
    expect(errorsOf({ content_type: ['CONTENT_TYPE_OTHER'], content_type_other: 'Chat' })).toEqual({});
  });

  it('category and category_addition are STATEMENT_CATEGORY_* keys; category_specification are KEYWORD_* keys', () => {
    expect(errorsOf({}, ['category'])).toHaveProperty('category');
    expect(errorsOf({ category: 'Scams and/or fraud' })).toHaveProperty('category');
    expect(errorsOf({ category: 'STATEMENT_CATEGORY_SPAM' })).toHaveProperty('category');
    expect(errorsOf({ category_addition: ['STATEMENT_CATEGORY_VIOLENCE'] })).toEqual({});
    expect(errorsOf({ category_addition: ['violence'] })).toHaveProperty('category_addition');
    expect(errorsOf({ category_specification: ['KEYWORD_PHISHING', 'KEYWORD_OTHER'] })).toEqual({});
    expect(errorsOf({ category_specification: ['KEYWORD_SPAM'] })).toHaveProperty('category_specification');
    expect(errorsOf({ category_specification_other: 'k'.repeat(501) })).toHaveProperty('category_specification_other');
  });

  it('dates are strict YYYY-MM-DD within the database bounds', () => {
    expect(isStrictYmd('2024-02-29')).toBe(true);
    for (const bad of ['2023-02-29', '2024-2-3', '2024-02-30', '2024-02-01T00:00:00Z', '20240201', 20240201]) {
      expect(isStrictYmd(bad)).toBe(false);
      expect(errorsOf({ content_date: bad })).toEqual({ content_date: ['The content date does not match the format YYYY-MM-DD.'] });
    }
    expect(errorsOf({ content_date: '1999-12-31' })).toHaveProperty('content_date');
    expect(errorsOf({ content_date: '2000-01-01' })).toEqual({});
    expect(errorsOf({ application_date: '2019-12-31' })).toHaveProperty('application_date');
    expect(errorsOf({ application_date: '2038-01-02' })).toHaveProperty('application_date');
    expect(errorsOf({}, ['application_date'])).toHaveProperty('application_date');
    expect(errorsOf({ end_date_account_restriction: '2038-01-01', end_date_service_restriction: null })).toEqual({});
    expect(errorsOf({ end_date_account_restriction: '2038-01-02' })).toHaveProperty('end_date_account_restriction');
    expect(errorsOf({ end_date_service_restriction: '2026-12-09T10:00:00.000Z' })).toHaveProperty('end_date_service_restriction');
  });

  it('puid: required, at most 500 characters of [A-Za-z0-9_-], nothing after the end (/D)', () => {
    expect(errorsOf({}, ['puid'])).toHaveProperty('puid');
    expect(errorsOf({ puid: 'a'.repeat(500) })).toEqual({});
    expect(errorsOf({ puid: 'a'.repeat(501) })).toHaveProperty('puid');
    for (const bad of ['a b', 'bc:1', 'ünï', 'abc\n', 'a.b'])
      expect(errorsOf({ puid: bad })).toEqual({ puid: ['The puid format is invalid.'] });
    expect(errorsOf({ puid: 'A-z_09' })).toEqual({});
  });

  it('decision_facts: required, at most 5000 characters', () => {
    expect(errorsOf({ decision_facts: '  ' })).toHaveProperty('decision_facts');
    expect(errorsOf({ decision_facts: 'f'.repeat(5000) })).toEqual({});
    expect(errorsOf({ decision_facts: 'f'.repeat(5001) })).toHaveProperty('decision_facts');
  });

  it('source_type and the automated_* fields take the database keys; source_identity is excluded for SOURCE_VOLUNTARY', () => {
    expect(errorsOf({ source_type: 'SOURCE_USER' })).toHaveProperty('source_type');
    expect(errorsOf({ source_type: 'SOURCE_TRUSTED_FLAGGER' })).toEqual({});
    expect(errorsOf({ source_identity: 'x'.repeat(501) })).toHaveProperty('source_identity');
    expect(errorsOf({ source_type: 'SOURCE_VOLUNTARY', source_identity: 'x'.repeat(501) })).toEqual({});
    expect(errorsOf({ automated_detection: 'yes' })).toHaveProperty('automated_detection');
    expect(errorsOf({ automated_detection: true })).toHaveProperty('automated_detection');
    expect(errorsOf({ automated_detection: 'Yes' })).toEqual({});
    expect(errorsOf({ automated_decision: 'Not Automated' })).toHaveProperty('automated_decision');
    expect(errorsOf({ automated_decision: 'AUTOMATED_DECISION_FULLY' })).toEqual({});
  });

  it('optional lists: territorial_scope (EEA codes), content_language (ISO 639-1), account_type, reference URL, EAN-13', () => {
    expect(errorsOf({ territorial_scope: ['DE', 'FR'], content_language: 'EN', account_type: 'ACCOUNT_TYPE_PRIVATE' })).toEqual({});
    expect(errorsOf({ territorial_scope: ['US'] })).toHaveProperty('territorial_scope');
    expect(errorsOf({ content_language: 'en' })).toHaveProperty('content_language');
    expect(errorsOf({ account_type: 'ACCOUNT_TYPE_PERSONAL' })).toHaveProperty('account_type');
    expect(errorsOf({ decision_ground_reference_url: 'not a url' })).toHaveProperty('decision_ground_reference_url');
    expect(errorsOf({ decision_ground_reference_url: 'https://example.org/terms' })).toEqual({});
    expect(errorsOf({ content_id: { 'EAN-13': '123' } })).toHaveProperty(['content_id.EAN-13']);
    expect(errorsOf({ content_id: { 'EAN-13': '1234567890123' } })).toEqual({});
  });

  it('fields the database does not know are ignored (it drops them), and listed', () => {
    expect(validateStatement({ ...base(), reporter_handle: 'ann' })).toEqual({ valid: true, errors: {}, ignored: ['reporter_handle'] });
    expect(validateStatement('nope').valid).toBe(false);
  });

  it('a batch holds 1 to 100 statements; one bad statement fails the call, keyed statement_<index>; a repeated puid too', () => {
    expect(validateBatch({ statements: [] }).valid).toBe(false);
    expect(validateBatch({ statements: Array.from({ length: 101 }, (_, i) => ({ ...base(), puid: `p${i}` })) }).valid).toBe(false);
    expect(validateBatch({ statements: Array.from({ length: 100 }, (_, i) => ({ ...base(), puid: `p${i}` })) }).valid).toBe(true);
    const bad = validateBatch({ statements: [base(), { ...base(), puid: 'x', category: 'nope' }] });
    expect(bad.valid).toBe(false);
    expect(Object.keys(bad.errors)).toEqual(['statement_1']);
    const dup = validateBatch({ statements: [base(), base()] });
    expect(dup).toMatchObject({ valid: false, duplicatePuids: ['bc-action-0f1e2d3c'] });
  });
});
