import { Migration } from '@mikro-orm/migrations';

/**
 * Rooms organized in advance (API.md v1.2): a room may be `scheduled` (with the time it is
 * meant to start) before it is `live`; `started_at` is when it went live (null for rooms that
 * were live from creation: their `created_at`). The list of a person's upcoming and live
 * rooms reads room_member by user (room_member_user_idx; hosts are moderators there). A room
 * from the platform API may be scheduled without a start time (the host app may not have one).
 */
export class Migration20261206080000_scheduled_rooms extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table room drop constraint room_status_check;`);
    this.addSql(`alter table room add constraint room_status_check check (status in ('scheduled','live','ended'));`);
    this.addSql(`alter table room add column starts_at timestamptz, add column started_at timestamptz;`);
  }

  override async down(): Promise<void> {
    this.addSql(`update room set status = 'live' where status = 'scheduled';`);
    this.addSql(`alter table room drop column starts_at, drop column started_at;`);
    this.addSql(`alter table room drop constraint room_status_check;`);
    this.addSql(`alter table room add constraint room_status_check check (status in ('live','ended'));`);
  }
}
