import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ModerationAction } from './admin.schemas';
import {
  AUTOMATED_DECISIONS,
  DECISION_ACCOUNTS,
  DECISION_PROVISIONS,
  DECISION_VISIBILITIES,
  SOURCE_TYPES,
  STATEMENT_CATEGORIES,
} from '@app/messaging/safety/dsa/tdb-vocabulary';

/** Response shapes of the DSA routes (API.md v1.2: statements, trusted flaggers, reporters). */

const YMD = { type: String, format: 'date', example: '2026-12-05' } as const;

/** One statement of reasons as the EU DSA Transparency Database's API takes it. */
export class TdbStatement {
  @ApiPropertyOptional({ type: [String], enum: DECISION_VISIBILITIES }) decision_visibility?: string[];
  @ApiPropertyOptional({ type: String, maxLength: 500, description: 'With DECISION_VISIBILITY_OTHER (a warning)' })
  decision_visibility_other?: string;
  @ApiPropertyOptional({ enum: DECISION_ACCOUNTS }) decision_account?: string;
  @ApiPropertyOptional({ enum: DECISION_PROVISIONS }) decision_provision?: string;
  @ApiProperty({ enum: ['DECISION_GROUND_INCOMPATIBLE_CONTENT'] }) decision_ground!: string;
  @ApiProperty({ type: String, maxLength: 500 }) incompatible_content_ground!: string;
  @ApiProperty({ type: String, maxLength: 2000 }) incompatible_content_explanation!: string;
  @ApiProperty({ type: [String], enum: ['CONTENT_TYPE_TEXT'] }) content_type!: string[];
  @ApiProperty({ enum: STATEMENT_CATEGORIES, description: "The decision's policy's category" }) category!: string;
  @ApiProperty({ type: String, maxLength: 5000, description: 'Worded from the decision alone: no personal data' })
  decision_facts!: string;
  @ApiProperty({ enum: SOURCE_TYPES.filter((s) => s !== 'SOURCE_TYPE_OTHER_NOTIFICATION') }) source_type!: string;
  @ApiProperty({ enum: ['Yes', 'No'] }) automated_detection!: string;
  @ApiProperty({ enum: AUTOMATED_DECISIONS }) automated_decision!: string;
  @ApiProperty(YMD) content_date!: string;
  @ApiProperty(YMD) application_date!: string;
  @ApiPropertyOptional({ ...YMD, description: 'A suspension: when it ends' }) end_date_account_restriction?: string;
  @ApiPropertyOptional({ ...YMD, description: 'A messaging or reporting restriction: when it ends' }) end_date_service_restriction?: string;
  @ApiProperty({ type: String, pattern: '^[A-Za-z0-9_-]{1,500}$', description: 'Stable: the same decision always has the same puid' })
  puid!: string;
}

export class TdbStatements {
  @ApiProperty({ type: [TdbStatement] }) statements!: TdbStatement[];
}

export class TrustedFlagger {
  @ApiProperty({ type: String, format: 'uuid' }) userId!: string;
  @ApiProperty({ type: String }) name!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'Designated since' }) since!: string;
}

export class ReporterPrecision {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Every report they filed' }) reports!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Closed reports that led to an action' }) upheld!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Closed reports that did not' }) dismissed!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 1,
    description: 'upheld / (upheld + dismissed); null before any closed report',
  })
  precision!: number | null;
}

export class ReportingSuspensionResult {
  @ApiProperty({ type: ModerationAction, description: 'The suspend_reporting action; expiresAt is when they may report again' })
  action!: ModerationAction;
}
