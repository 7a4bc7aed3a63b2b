import { ArrayType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../ids';
import type { RuleAction, RuleKind, RuleMode, RuleScope } from './rule-matcher';

/**
 * A staff rule (API.md v1.1 "Rules"): a low-traffic table read whole into each process's
 * compiled matcher (RulesService). Writes go through RulesService in one transaction with
 * their audit entry; the table is Migration20261126171130_moderation_rules.
 */
@Entity({ tableName: 'moderation_rule' })
export class ModerationRule {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'boolean' })
  enabled: boolean = true;

  @Property({ type: 'text' })
  mode!: RuleMode;

  @Property({ type: 'text' })
  kind!: RuleKind;

  @Property({ type: ArrayType, columnType: 'text[]' })
  patterns!: string[];

  @Property({ type: ArrayType, columnType: 'text[]', fieldName: 'applies_to' })
  appliesTo!: RuleScope[];

  @Property({ type: 'text' })
  action!: RuleAction;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: ArrayType, columnType: 'uuid[]', fieldName: 'exempt_user_ids' })
  exemptUserIds: string[] = [];

  @Property({ type: 'uuid', nullable: true, fieldName: 'created_by' })
  createdBy: string | null = null;

  @Property({ type: 'datetime', fieldName: 'created_at' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', fieldName: 'updated_at' })
  updatedAt: Date = new Date();
}
