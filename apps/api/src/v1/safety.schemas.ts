import { ApiProperty } from '@nestjs/swagger';
import { NOTICE_KINDS } from '@app/messaging/safety/vocabulary';

/** Response shapes of the end-user trust-and-safety routes: reports, notices, appeals. */

export class ReportCreated {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
}

export class StatementAppeal {
  @ApiProperty({ type: Boolean }) possible!: boolean;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Appeals are accepted until then (422 appeal_window_passed after)',
  })
  until!: string | null;
}

export class Statement {
  @ApiProperty({ type: String, description: 'warn, remove_content, restrict_messaging, suspend, ban, or lift' }) action!: string;
  @ApiProperty({ type: String, description: 'What happened, in plain words' }) facts!: string;
  @ApiProperty({ type: String, description: 'The rule it is based on' }) ground!: string;
  @ApiProperty({ type: Boolean, description: 'Decided by the platform without a person (malicious links, rules)' }) automated!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) endsAt!: string | null;
  @ApiProperty({ type: StatementAppeal }) appeal!: StatementAppeal;
}

/** The action that keeps a suspended or banned account out, as a refused sign-in names it. */
export class SuspendedAction {
  @ApiProperty({ type: String, format: 'uuid', description: 'The action to appeal (POST /v1/appeals actionId)' }) id!: string;
  @ApiProperty({ type: String, description: 'suspend or ban' }) action!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the suspension ends; null for a ban' })
  endsAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'spam', description: 'The key of the policy the decision was taken under' })
  policy!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Spam and platform manipulation',
    description: "The policy's name, to show people; null if the policy was since deleted",
  })
  policyTitle!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'medium',
    description: "The key of the policy's severity level (low, medium, high, severe, …)",
  })
  severity!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Strikes the decision added to the account' }) strikes!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When those strikes expire; null without strikes' })
  strikesExpireAt!: string | null;
}

/** `details` of a refused sign-in (401 account_suspended, API.md v1.2), with the fields added since. */
export class AccountSuspendedDetails {
  @ApiProperty({ type: String, description: 'Opens only GET /v1/notices and POST / GET /v1/appeals, for a short while' })
  appealToken!: string;
  @ApiProperty({ type: SuspendedAction, nullable: true }) action!: SuspendedAction | null;
  @ApiProperty({ type: Statement, nullable: true, description: 'The statement of reasons, as in notices' }) statement!: Statement | null;
}

export class NoticeReply {
  @ApiProperty({ type: String }) text!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class Notice {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ enum: NOTICE_KINDS }) kind!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'What it tells of: the action of its statement (warn, suspend, …), or e.g. limits_enabled (the pile-on breaker turned Limits on)',
  })
  action!: string | null;
  @ApiProperty({ type: String }) text!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Kind-specific facts (e.g. reportId and outcome)',
  })
  data!: Record<string, unknown> | null;
  @ApiProperty({
    type: Statement,
    nullable: true,
    description: 'The statement of reasons of an action against me (v1.1); null on other notices',
  })
  statement!: Statement | null;
  @ApiProperty({ type: Boolean, description: 'A message from the team that I can still answer (POST /v1/notices/:id/reply)' })
  replyable!: boolean;
  @ApiProperty({ type: NoticeReply, nullable: true, description: 'My answer to a message from the team' }) reply!: NoticeReply | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class NoticePage {
  @ApiProperty({ type: [Notice], description: 'Newest first' }) items!: Notice[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class Appeal {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid' }) actionId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The action appealed (suspend, ban, …)' }) action!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the appealed action was taken' })
  actionCreatedAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid' }) userId!: string;
  @ApiProperty({ type: String }) text!: string;
  @ApiProperty({ enum: ['open', 'upheld', 'denied'] }) status!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) decisionNote!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class AppealPage {
  @ApiProperty({ type: [Appeal] }) items!: Appeal[];
  @ApiProperty({ type: String, nullable: true, description: 'Always null: every appeal in one page' }) nextCursor!: string | null;
}
