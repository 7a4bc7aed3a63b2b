import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../ids';

export type StaffRole = 'admin' | 'moderator' | 'triage';
export const STAFF_ROLE_RANK: Record<StaffRole, number> = { triage: 1, moderator: 2, admin: 3 };

@Entity({ tableName: 'staff' })
export class Staff {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'text', unique: true })
  email!: string;

  @Property({ type: 'text' })
  displayName!: string;

  @Property({ type: 'text', hidden: true, lazy: true })
  passwordHash!: string;

  @Property({ type: 'text' })
  role!: StaffRole;

  @Property({ type: 'boolean' })
  disabled: boolean = false;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
