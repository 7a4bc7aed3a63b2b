import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Process-wide settings that every API process must share (e.g. a generated JWT secret). */
@Entity({ tableName: 'app_setting' })
export class AppSetting {
  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'text' })
  value!: string;
}
