import { AttachmentsNotSupported, InvalidRequest, InvalidText } from '../errors';

/** C0 control characters other than \n and \t (API.md, Messages). */
const FORBIDDEN_CONTROLS = /[\u0000-\u0008\u000B-\u001F]/;
const MEDIA_FIELDS = ['attachments', 'image', 'video', 'media'] as const;

export const MAX_MESSAGE_CHARS = 4000;
export const MAX_QUESTION_CHARS = 500;

/**
 * Text rules shared by messages and questions: trimmed, 1..max characters (Unicode code
 * points, so an emoji counts once), no C0 controls but newline and tab.
 */
export function validateText(raw: unknown, max: number): string {
  if (typeof raw !== 'string') throw new InvalidText(`text must be a string of 1-${max} characters.`);
  if (FORBIDDEN_CONTROLS.test(raw)) throw new InvalidText('text must not contain control characters other than newline and tab.');
  const text = raw.trim();
  const length = [...text].length;
  if (length < 1 || length > max) throw new InvalidText(`text must be 1-${max} characters after trimming (got ${length}).`);
  return text;
}

/** Text and links only: any media field is refused before anything else is looked at. */
export function refuseMedia(body: Record<string, unknown>): void {
  for (const field of MEDIA_FIELDS) {
    if (Object.prototype.hasOwnProperty.call(body, field)) {
      throw new AttachmentsNotSupported(`"${field}" is not supported: Backchannel carries text and links only.`);
    }
  }
}

/** clientId: the sender's idempotency key, 1..100 printable characters. */
export function validateClientId(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length < 1 || raw.length > 100 || /[\u0000-\u001F\u007F]/.test(raw)) {
    throw new InvalidRequest('clientId must be a string of 1-100 printable characters.', [
      { field: 'clientId', problems: ['string of 1-100 printable characters'] },
    ]);
  }
  return raw;
}
