import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Response shapes of the conversation and message routes (API.md, "Conversations", "Messages"). */

const MEMBER_STATES = ['active', 'pending', 'declined', 'left'];

export class Link {
  @ApiProperty({ type: String, example: 'https://example.com/x' }) url!: string;
  @ApiProperty({ enum: ['pending', 'safe', 'suspicious', 'malicious'] }) verdict!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      'Why the verdict: for suspicious and malicious the code of what flagged the link (blocklisted_domain, abused_tld_lure, feed_urlhaus, ...); for safe a sentence naming the sources consulted, none of which flagged it, and saying so when no reputation feed or lookup was consulted',
    example: 'Not flagged by the blocklist or the offline heuristics; no reputation feed or lookup was consulted.',
  })
  reason?: string | null;
  @ApiPropertyOptional({
    type: [String],
    description:
      'The sources consulted for the verdict, in the order asked: staff (an override), blocklist, heuristics (offline), feed:<format> (a loaded reputation feed: urlhaus, phishtank, openphish), provider:<name> (an online lookup that answered). A safe verdict with no feed: or provider: source was checked offline only. Absent while pending',
    example: ['blocklist', 'heuristics', 'feed:urlhaus'],
  })
  sources?: string[];
}

export class ReplyTo {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The quoted message' }) seq!: number;
  @ApiProperty({ type: String, format: 'uuid' }) senderId!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "The quoted message's current text; null once it is removed or unsent, or when you cannot read it",
  })
  text!: string | null;
}

export class Reaction {
  @ApiProperty({ type: String, example: '👍', description: 'One emoji' }) emoji!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) count!: number;
  @ApiProperty({ type: Boolean, description: 'Whether I reacted with it' }) me!: boolean;
}

export class Message {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid' }) conversationId!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Per conversation: 1, 2, 3… without gaps' }) seq!: number;
  @ApiProperty({ type: String, format: 'uuid' }) senderId!: string;
  @ApiProperty({ type: String, description: "The sender's idempotency key" }) clientId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null once removed, and while the message is held from you' }) text!:
    string | null;
  @ApiProperty({ type: [Link] }) links!: Link[];
  @ApiProperty({
    enum: ['visible', 'removed', 'held'],
    description:
      'held: stored but not readable by you now: your own message awaiting staff review, or, in an event synced after you lost sight of the message (you left, declined, blocked its sender, or a new link awaits its verdict in a request), the message without its content',
  })
  state!: string;
  @ApiPropertyOptional({ type: String, description: 'Only when removed: unsent, malicious_link, moderation' }) removedReason?: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null until edited' }) editedAt!: string | null;
  @ApiProperty({ type: ReplyTo, nullable: true, description: 'What this message replies to; null when not a reply' })
  replyTo!: ReplyTo | null;
  @ApiProperty({ type: [Reaction], description: 'Counts per emoji, in the order they were first used; empty once removed' })
  reactions!: Reaction[];
}

export class ConversationMember {
  @ApiProperty({ type: String, format: 'uuid' }) userId!: string;
  @ApiProperty({ type: String }) handle!: string;
  @ApiProperty({ type: String }) displayName!: string;
  @ApiProperty({ enum: MEMBER_STATES, description: "Another member's declined reads as pending" }) state!: string;
  @ApiProperty({ type: String, description: 'owner (group creator), member; in a room backchannel: moderator' }) role!: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Read marker of an active member' }) readSeq?: number;
}

export class ConversationContext {
  @ApiProperty({ type: String, format: 'uuid', description: 'The room both attended' }) roomId!: string;
  @ApiPropertyOptional({ type: String }) roomTitle?: string;
}

export class Conversation {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['direct', 'group', 'room'] }) kind!: string;
  @ApiProperty({ type: String, nullable: true }) title!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) creatorId!: string | null;
  @ApiProperty({ type: [ConversationMember] }) members!: ConversationMember[];
  @ApiProperty({ enum: MEMBER_STATES }) myState!: string;
  @ApiProperty({ type: Message, nullable: true }) lastMessage!: Message | null;
  @ApiProperty({ type: 'integer', minimum: 0 }) unreadCount!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'My read marker' }) readSeq!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) lastSeq!: number;
  @ApiProperty({ type: ConversationContext, nullable: true, description: 'Where the participants met' })
  context!: ConversationContext | null;
  @ApiProperty({ type: Boolean, description: 'Locked by moderators (v1.2): nobody may send, edit, react or add members until unlocked' })
  locked!: boolean;
  @ApiPropertyOptional({
    type: Boolean,
    description:
      'A pending request only: true when it is in my hidden folder (hidden words, Limits, the pile-on breaker, a staff rule), false when it is in requests; absent otherwise',
  })
  hidden?: boolean;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) lastActivityAt!: string;
}

export class ConversationPage {
  @ApiProperty({ type: [Conversation] }) items!: Conversation[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class MessagePage {
  @ApiProperty({ type: [Message], description: 'Ordered by seq' }) items!: Message[];
  @ApiProperty({ type: String, nullable: true, description: 'Continues in the direction of the page' }) nextCursor!: string | null;
}

export class Declined {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['declined'] }) myState!: 'declined';
}

export class ReadMarker {
  @ApiProperty({ type: String, format: 'uuid' }) conversationId!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) readSeq!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) unreadCount!: number;
}

export class DeclinedAll {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'How many pending requests were declined', example: 2 }) declined!: number;
}

export class SearchHit {
  @ApiProperty({ type: String, format: 'uuid' }) conversationId!: string;
  @ApiProperty({ type: String, format: 'uuid' }) messageId!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) seq!: number;
  @ApiProperty({ type: String, format: 'uuid' }) senderId!: string;
  @ApiProperty({ type: String, description: 'Plain-text excerpt around the match' }) snippet!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class SearchPage {
  @ApiProperty({ type: [SearchHit], description: 'Best match first' }) items!: SearchHit[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
