// Who may do what. Every route names one permission (or is public); this table decides.
import type { Role } from './types.js'

export const ROLES: readonly Role[] = ['owner', 'admin', 'analyst', 'viewer', 'unit_manager']

export type Permission =
  | 'read' // see waves, links and reports
  | 'whole_wave' // counters across a whole wave (invitations sent and answered), which a unit manager may not see
  | 'export' // download responses and report tables
  | 'manage_waves' // create, open and close waves; units; links
  | 'manage_settings' // organization settings
  | 'manage_users' // add people, change roles
  | 'contacts' // see and change contacts (names and emails are personal data)
  | 'audit' // read and export the audit log
  | 'delete_data' // erase responses and waves
  | 'plans' // make, change and delete action plans (a unit manager: of their own units only, services/action-plans.ts)

const GRANTS: Record<Role, readonly Permission[]> = {
  owner: ['read', 'whole_wave', 'export', 'manage_waves', 'manage_settings', 'manage_users', 'contacts', 'audit', 'delete_data', 'plans'],
  admin: ['read', 'whole_wave', 'export', 'manage_waves', 'manage_settings', 'manage_users', 'contacts', 'plans'],
  analyst: ['read', 'whole_wave', 'export'],
  viewer: ['read', 'whole_wave'],
  // Reads reports, but only of the units assigned to them (server/services/report-scope.ts).
  unit_manager: ['read', 'plans'],
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission)
}

/** Roles a person with `role` may hand out: nobody but an owner makes another owner. */
export function assignableRoles(role: Role): Role[] {
  if (role === 'owner') return [...ROLES]
  if (role === 'admin') return ['admin', 'analyst', 'viewer', 'unit_manager']
  return []
}

/** Whether a person with `giver`'s role may give `role` (to an invitation or a colleague). */
export function mayGive(giver: Role, role: unknown): role is Role {
  return isRole(role) && assignableRoles(giver).includes(role)
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}
