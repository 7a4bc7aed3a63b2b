/**
 * Domain errors: libraries throw these, never HttpException. One filter in apps/api maps
 * every DomainError to {statusCode, code, message, details?}; the code is part of the API
 * contract and must never change once shipped.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

const define = (status: number, code: string, defaultMessage: string) =>
  class extends DomainError {
    static readonly code = code;
    constructor(message: string = defaultMessage, details?: unknown) {
      super(status, code, message, details);
    }
  };

export const InvalidRequest = define(400, 'invalid_request', 'The request is not valid.');
export const InvalidText = define(400, 'invalid_text', 'Text must be 1-4000 characters without control characters.');
export const InvalidCursor = define(400, 'invalid_cursor', 'The cursor is not valid.');
export const Unauthorized = define(401, 'unauthorized', 'Sign in first: a valid access token is required.');
export const InvalidCredentials = define(401, 'invalid_credentials', 'Handle or password is wrong.');
export const InvalidRefreshToken = define(401, 'invalid_refresh_token', 'The refresh token is not valid; sign in again.');
export const RefreshTokenReused = define(
  401,
  'refresh_token_reused',
  'This refresh token was already used; every session of this login was signed out. Sign in again.',
);
export const SessionRevoked = define(
  401,
  'session_revoked',
  'This sign-in was ended (signed out, or its refresh token was reused); sign in again.',
);
export const AccountSuspended = define(401, 'account_suspended', 'This account is suspended.');
export const Forbidden = define(403, 'forbidden', 'You may not do that.');
export const RegistrationClosed = define(
  403,
  'registration_closed',
  'Registration is closed here: accounts come from the app you signed in with.',
);
export const ForbiddenRole = define(403, 'forbidden_role', 'Your staff role may not do that.');
export const Blocked = define(403, 'blocked', 'You cannot message this person.');
export const RecipientNotAccepting = define(403, 'recipient_not_accepting', 'This person does not accept new conversations from you.');
export const RequestPendingLimit = define(403, 'request_pending_limit', 'Wait until your message request is accepted before sending more.');
/** A live staff rule (action block) refused the message; the message is the rule's reason. */
export const BlockedByRule = define(403, 'blocked_by_rule', 'This message breaks a rule of this service.');
/** Staff locked the conversation (API.md v1.2): nobody sends, edits, reacts or adds members there until unlocked. */
export const ConversationLocked = define(403, 'conversation_locked', 'This conversation is locked by moderators.');
export const MessagingRestricted = define(
  403,
  'messaging_restricted',
  'Your account may not start conversations or send messages right now.',
);
/** A reporting suspension (DSA Art. 23) is running: the person may not file reports until it ends. */
export const ReportingSuspended = define(403, 'reporting_suspended', 'Your account may not file reports right now.');
export const NotFound = define(404, 'not_found', 'Not found.');
export const MethodNotAllowed = define(405, 'method_not_allowed', 'This resource does not support that method.');
export const CursorExpired = define(
  410,
  'cursor_expired',
  'This cursor is older than the event retention window; reload everything and sync from the new cursor.',
);
export const Conflict = define(409, 'conflict', 'The request conflicts with the current state.');
export const HandleTaken = define(409, 'handle_taken', 'That handle is taken.');
export const EmailTaken = define(409, 'email_taken', 'That email is taken.');
export const AlreadyClaimed = define(409, 'already_claimed', 'Another moderator has claimed this report.');
export const AlreadyAppealed = define(409, 'already_appealed', 'This action was already appealed.');
export const AlreadyLifted = define(409, 'already_lifted', 'This action was already lifted.');
/** A reporting suspension needs a prior warning under the unfounded_reports policy (DSA Art. 23). */
export const WarningRequired = define(
  409,
  'warning_required',
  'Warn this person about unfounded reports (policy unfounded_reports) before suspending their reporting.',
);
/** A lock or unlock sent with the state its caller read (`expectLocked`) found the conversation already changed. */
export const LockStateChanged = define(
  409,
  'lock_state_changed',
  'Someone changed this conversation’s lock after you read it; nothing was changed.',
);
export const AlreadyEnded = define(409, 'already_ended', 'This action has already run its course; there is nothing left to lift.');
export const Unprocessable = define(422, 'unprocessable', 'The request cannot be applied.');
export const GroupTooLarge = define(422, 'group_too_large', 'A conversation has at most 15 members.');
export const AttachmentsNotSupported = define(422, 'attachments_not_supported', 'Only text and links can be sent.');
export const CannotTargetSelf = define(422, 'cannot_target_self', 'You cannot do that to yourself.');
export const NotAGroup = define(422, 'not_a_group', 'Only group conversations support that.');
export const RoomEnded = define(422, 'room_ended', 'The room has ended.');
export const RoomNotLive = define(
  422,
  'room_not_live',
  'The room has not started yet: it goes live when its host or a moderator starts it.',
);
export const NotLiftable = define(422, 'not_liftable', 'Only a warning, restriction, suspension or ban can be lifted.');
export const UnknownUser = define(
  422,
  'unknown_user',
  'A member names a userExternalId that was never upserted; PUT /platform/v1/users/:externalId first.',
);
export const RoomHostRequired = define(422, 'room_host_required', 'A new room needs a member with role host.');
export const AppealWindowPassed = define(422, 'appeal_window_passed', 'The time to appeal this action has passed.');
export const TemplateVariableMissing = define(
  422,
  'template_variable_missing',
  'The template uses a variable this decision does not fill.',
);
export const TemplateVariableUnknown = define(422, 'template_variable_unknown', 'The template uses a variable that does not exist.');
export const AlreadyReplied = define(409, 'already_replied', 'You already answered this message.');
export const NotInCase = define(422, 'not_in_case', 'That person is neither the subject nor a reporter of this case.');
export const NotPending = define(422, 'not_pending', 'There is no pending request to answer.');
export const ReplyTargetNotFound = define(
  422,
  'reply_target_not_found',
  'replyTo must be the seq of a message of this conversation that you can see.',
);
export const TooManyReactions = define(422, 'too_many_reactions', 'A message has at most 20 different emoji.');
export const EditWindowPassed = define(403, 'edit_window_passed', 'A message can be edited only within 15 minutes of sending it.');
export const MessageRemoved = define(409, 'message_removed', 'This message was removed.');
export const EditLimitReached = define(
  409,
  'edit_limit_reached',
  'This message was edited as often as a message may be; send a new one instead.',
);

export class RateLimited extends DomainError {
  static readonly code = 'rate_limited';
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests; try again later.',
  ) {
    super(429, 'rate_limited', message, undefined, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}

export class ServiceUnavailable extends DomainError {
  constructor(message = 'A dependency is unavailable; retry shortly.') {
    super(503, 'service_unavailable', message);
  }
}
