import type { StaffRole } from '../../accounts/staff-roles';

/** A staff account as the console and the audit log see it (never the password hash). */
export interface StaffRow {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
  disabled: boolean;
  /** ISO-8601 UTC. */
  createdAt: string;
}

/** A staff account with its password hash, for sign-in only. */
export interface StaffCredentialsRow extends StaffRow {
  passwordHash: string;
}
