import { ApiProperty } from '@nestjs/swagger';

/** Response shapes of the end-user trust-and-safety routes: reports, notices, appeals. */

export class ReportCreated {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
}

export class Notice {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['report_outcome', 'warning', 'enforcement', 'appeal_decision', 'content_removed'] }) kind!: string;
  @ApiProperty({ type: String }) text!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'Kind-specific facts (e.g. reportId and outcome)' })
  data!: Record<string, unknown> | null;
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
