import { Migration20261125000000_initial } from './Migration20261125000000_initial';
import { Migration20261125170000_safety } from './Migration20261125170000_safety';
import { Migration20261125180500_spam_limits } from './Migration20261125180500_spam_limits';
import { Migration20261126100000_member_visibility } from './Migration20261126100000_member_visibility';
import { Migration20261126110000_message_retained } from './Migration20261126110000_message_retained';
import { Migration20261126120000_revoked_families } from './Migration20261126120000_revoked_families';
import { Migration20261126130000_audit_chain } from './Migration20261126130000_audit_chain';
import { Migration20261126150000_send_path } from './Migration20261126150000_send_path';
import { Migration20261126160000_link_hold } from './Migration20261126160000_link_hold';
import { Migration20261126164015_cases } from './Migration20261126164015_cases';
import { Migration20261126164030_platform } from './Migration20261126164030_platform';
import { Migration20261126164130_conversation_features } from './Migration20261126164130_conversation_features';
import { Migration20261126170000_restrict } from './Migration20261126170000_restrict';
import { Migration20261126171000_hidden_words } from './Migration20261126171000_hidden_words';
import { Migration20261126171130_moderation_rules } from './Migration20261126171130_moderation_rules';
import { Migration20261126173000_event_partitions } from './Migration20261126173000_event_partitions';
import { Migration20261205010000_message_key } from './Migration20261205010000_message_key';
import { Migration20261205020000_link_backlog } from './Migration20261205020000_link_backlog';
import { Migration20261206400000_request_protection } from './Migration20261206400000_request_protection';
import { Migration20261205030000_data_export } from './Migration20261205030000_data_export';
import { Migration20261206080000_scheduled_rooms } from './Migration20261206080000_scheduled_rooms';
import { Migration20261206100000_account_deletion } from './Migration20261206100000_account_deletion';
import { Migration20261206200000_policies } from './Migration20261206200000_policies';
import { Migration20261206300000_trusted_flaggers } from './Migration20261206300000_trusted_flaggers';
import { Migration20261206300100_tdb_submissions } from './Migration20261206300100_tdb_submissions';
import { Migration20261206500000_dm_controls } from './Migration20261206500000_dm_controls';
import { Migration20261206600000_event_positions } from './Migration20261206600000_event_positions';
import { Migration20261207100000_link_sources } from './Migration20261207100000_link_sources';
import { Migration20261207800000_send_write_path } from './Migration20261207800000_send_write_path';
import { Migration20261207300000_statement_templates } from './Migration20261207300000_statement_templates';
import { Migration20261209500000_link_occurrence_once } from './Migration20261209500000_link_occurrence_once';
import { Migration20261207700000_conversation_event_updates } from './Migration20261207700000_conversation_event_updates';
import { Migration20261209300000_link_settle } from './Migration20261209300000_link_settle';
import { Migration20261211020000_link_seen } from './Migration20261211020000_link_seen';

/**
 * Migrations are listed explicitly (not globbed) so the same list works from ts-jest and
 * from the compiled dist/ build. Append new ones at the end, never reorder.
 */
export const migrationsList = [
  { name: 'Migration20261125000000_initial', class: Migration20261125000000_initial },
  { name: 'Migration20261125170000_safety', class: Migration20261125170000_safety },
  { name: 'Migration20261125180500_spam_limits', class: Migration20261125180500_spam_limits },
  { name: 'Migration20261126100000_member_visibility', class: Migration20261126100000_member_visibility },
  { name: 'Migration20261126110000_message_retained', class: Migration20261126110000_message_retained },
  { name: 'Migration20261126120000_revoked_families', class: Migration20261126120000_revoked_families },
  { name: 'Migration20261126130000_audit_chain', class: Migration20261126130000_audit_chain },
  { name: 'Migration20261126150000_send_path', class: Migration20261126150000_send_path },
  { name: 'Migration20261126160000_link_hold', class: Migration20261126160000_link_hold },
  { name: 'Migration20261126164015_cases', class: Migration20261126164015_cases },
  { name: 'Migration20261126164030_platform', class: Migration20261126164030_platform },
  { name: 'Migration20261126164130_conversation_features', class: Migration20261126164130_conversation_features },
  { name: 'Migration20261126170000_restrict', class: Migration20261126170000_restrict },
  { name: 'Migration20261126171000_hidden_words', class: Migration20261126171000_hidden_words },
  { name: 'Migration20261126171130_moderation_rules', class: Migration20261126171130_moderation_rules },
  { name: 'Migration20261126173000_event_partitions', class: Migration20261126173000_event_partitions },
  { name: 'Migration20261205010000_message_key', class: Migration20261205010000_message_key },
  { name: 'Migration20261205020000_link_backlog', class: Migration20261205020000_link_backlog },
  { name: 'Migration20261205030000_data_export', class: Migration20261205030000_data_export },
  { name: 'Migration20261206080000_scheduled_rooms', class: Migration20261206080000_scheduled_rooms },
  { name: 'Migration20261206100000_account_deletion', class: Migration20261206100000_account_deletion },
  { name: 'Migration20261206200000_policies', class: Migration20261206200000_policies },
  { name: 'Migration20261206300000_trusted_flaggers', class: Migration20261206300000_trusted_flaggers },
  { name: 'Migration20261206300100_tdb_submissions', class: Migration20261206300100_tdb_submissions },
  { name: 'Migration20261206400000_request_protection', class: Migration20261206400000_request_protection },
  { name: 'Migration20261206500000_dm_controls', class: Migration20261206500000_dm_controls },
  { name: 'Migration20261206600000_event_positions', class: Migration20261206600000_event_positions },
  { name: 'Migration20261207100000_link_sources', class: Migration20261207100000_link_sources },
  { name: 'Migration20261207800000_send_write_path', class: Migration20261207800000_send_write_path },
  { name: 'Migration20261207300000_statement_templates', class: Migration20261207300000_statement_templates },
  { name: 'Migration20261207700000_conversation_event_updates', class: Migration20261207700000_conversation_event_updates },
  { name: 'Migration20261209300000_link_settle', class: Migration20261209300000_link_settle },
  { name: 'Migration20261209500000_link_occurrence_once', class: Migration20261209500000_link_occurrence_once },
  { name: 'Migration20261211020000_link_seen', class: Migration20261211020000_link_seen },
];
