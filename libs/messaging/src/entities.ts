import { AppSetting } from './accounts/app-setting.entity';
import { Staff } from './accounts/staff.entity';

/** Every MikroORM entity, registered explicitly (no folder globbing in dist/ vs ts). */
export const ENTITIES = [AppSetting, Staff];
