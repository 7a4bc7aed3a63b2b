import { ApiProperty } from '@nestjs/swagger';
import { User } from './accounts.schemas';
import { ConversationContext, ConversationMember, Message } from './conversations.schemas';
import { Notice } from './safety.schemas';

/** Response shapes of the data export routes (API.md v1.2 "Your data: export and account deletion"). */

export class DataExport {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['pending', 'ready'] }) status!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Where to download the archive (a path on the API, with the same token); null until ready',
    example: '/v1/me/export/0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c9d/archive',
  })
  url!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'The archive is deleted then (7 days after the request)' })
  expiresAt!: string;
}

export class ExportSettings {
  @ApiProperty({ enum: ['all', 'following', 'none'] }) allowIncoming!: string;
  @ApiProperty({ enum: ['all', 'following', 'none'], description: 'Who may add me to a group (v1.2)' }) allowGroupInvites!: string;
  @ApiProperty({ type: [String] }) hiddenWords!: string[];
  @ApiProperty({ type: Boolean }) useDefaultList!: boolean;
}

/** Someone I follow or block, and since when. */
export class ExportEdge {
  @ApiProperty({ type: String, format: 'uuid' }) userId!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class ExportConversation {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['direct', 'group', 'room'] }) kind!: string;
  @ApiProperty({ type: String, nullable: true }) title!: string | null;
  @ApiProperty({ enum: ['active', 'pending', 'declined', 'left'] }) myState!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: ConversationContext, nullable: true }) context!: ConversationContext | null;
  @ApiProperty({ type: [ConversationMember], description: 'As GET /v1/conversations/{id} lists them' }) members!: ConversationMember[];
  @ApiProperty({
    type: [Message],
    description:
      'Every message I sent, and what I read as a member (a pending request: no more than the request cap lets me read), or could read up to when I left; each as the message list shows it',
  })
  messages!: Message[];
}

/** A report I filed (its frozen evidence stays with staff). */
export class ExportReport {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['message', 'user', 'conversation', 'question'] }) subjectType!: string;
  @ApiProperty({ type: String, format: 'uuid' }) subjectId!: string;
  @ApiProperty({ type: String }) reason!: string;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ enum: ['open', 'resolved'] }) status!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt!: string | null;
}

/** The archive: a JSON document, streamed. */
export class DataExportArchive {
  @ApiProperty({ type: String, format: 'date-time' }) exportedAt!: string;
  @ApiProperty({ type: User }) profile!: User;
  @ApiProperty({ type: ExportSettings }) settings!: ExportSettings;
  @ApiProperty({ type: [ExportEdge], description: 'People I follow' }) follows!: ExportEdge[];
  @ApiProperty({ type: [ExportEdge], description: 'People I block' }) blocks!: ExportEdge[];
  @ApiProperty({ type: [ExportConversation] }) conversations!: ExportConversation[];
  @ApiProperty({ type: [ExportReport], description: 'Reports I filed' }) reports!: ExportReport[];
  @ApiProperty({ type: [Notice], description: 'What moderation told me, newest first, as GET /v1/notices lists it' }) notices!: Notice[];
}
