import { AppSetting } from './accounts/app-setting.entity';
import { ModerationRule } from './rules/moderation-rule.entity';

/** Every MikroORM entity, registered explicitly (no folder globbing in dist/ vs ts). */
export const ENTITIES = [AppSetting, ModerationRule];
