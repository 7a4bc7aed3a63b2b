import { ModerationRule } from './rules/moderation-rule.entity';

/** Every MikroORM entity, registered explicitly (no folder globbing in dist/ vs ts). */
export const ENTITIES = [ModerationRule];
