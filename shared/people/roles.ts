/**
 * The permission matrix: what each role may do. Every API route names the one permission it
 * needs (`access.ts`); the CLI's commands call those routes, so the same matrix applies to both.
 * Role and permission names are stored and shown in the API: never rename one.
 */

export const ROLES = ['admin', 'marketer', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  read: 'read journeys, templates, segments, reports, contacts and tasks',
  'content:write': 'change journeys, templates, segments and broadcasts, and close tasks',
  'contacts:consent': "record a person's request to leave or rejoin marketing mail",
  'contacts:manage': 'import contacts and resolve identity conflicts',
  'sources:manage': 'webhook sources, API keys and outbound endpoints (their secrets included)',
  'users:manage': 'users, their roles and their tokens',
  'audit:read': 'read the audit log',
  'privacy:manage': "export and erase a person's data",
} as const;
export type Permission = keyof typeof PERMISSIONS;

const ALL = Object.keys(PERMISSIONS) as Permission[];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ALL,
  marketer: ['read', 'content:write', 'contacts:consent'],
  analyst: ['read'],
};

export const can = (role: Role, permission: Permission): boolean => ROLE_PERMISSIONS[role].includes(permission);

/** The roles holding a permission, for the API's description and the README's table. */
export const rolesWith = (permission: Permission): Role[] => ROLES.filter((role) => can(role, permission));
