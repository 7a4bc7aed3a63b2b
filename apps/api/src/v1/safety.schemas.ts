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
