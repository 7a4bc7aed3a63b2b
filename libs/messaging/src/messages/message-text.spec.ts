import { refuseMedia, validateClientId, validateText } from './message-text';

describe('validateText', () => {
  it('trims and accepts 1..max characters counted as code points', () => {
    expect(validateText('  hi  ', 10)).toBe('hi');
    expect(validateText('😀'.repeat(4000), 4000)).toHaveLength(8000);
  });
  it('refuses empty-after-trim, too long, and non-strings with invalid_text', () => {
    for (const bad of ['   ', '', 'x'.repeat(4001), 42, null, ['a']]) {
      expect(() => validateText(bad, 4000)).toThrow(expect.objectContaining({ code: 'invalid_text', status: 400 }));
    }
  });
  it('allows newline and tab but refuses other C0 controls', () => {
    expect(validateText('a\nb\tc', 100)).toBe('a\nb\tc');
    for (const c of ['\u0000', '\u0007', '\r', '\u001b', '\u001f']) {
      expect(() => validateText(`a${c}b`, 100)).toThrow(expect.objectContaining({ code: 'invalid_text' }));
    }
  });
});

describe('refuseMedia', () => {
  it('refuses attachments, image, video and media with 422 attachments_not_supported', () => {
    for (const f of ['attachments', 'image', 'video', 'media']) {
      expect(() => refuseMedia({ text: 'x', [f]: null })).toThrow(
        expect.objectContaining({ code: 'attachments_not_supported', status: 422 }),
      );
    }
    expect(() => refuseMedia({ text: 'x', clientId: 'c' })).not.toThrow();
  });
});

describe('validateClientId', () => {
  it('accepts short printable strings and refuses everything else', () => {
    expect(validateClientId('abc-1')).toBe('abc-1');
    for (const bad of ['', 'x'.repeat(101), 5, { $gt: '' }, 'a\u0000']) {
      expect(() => validateClientId(bad)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    }
  });
});
