// The shapes of colleagues and their invitations in the API, typed for the OpenAPI document.
import { Type } from 'typebox'
import { ROLES } from '../../domain/roles.js'
import type { Role } from '../../domain/types.js'

const Time = Type.String({ format: 'date-time' })
export const RoleName = Type.Unsafe<Role>({ type: 'string', enum: [...ROLES], description: 'owner, admin, analyst (reads and exports reports), viewer (reads reports) or unit_manager (reads the reports of their units only).' })
const UnitRef = Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() })

export const Person = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  role: RoleName,
  units: Type.Array(UnitRef, { description: 'A unit manager\'s units; empty for every other role.' }),
  lastLoginAt: Type.Union([Time, Type.Null()]),
}, { title: 'Person' })

export const ChangePersonBody = Type.Object({
  role: Type.Optional(Type.Unsafe<Role>({ ...RoleName, description: 'A role you may give: only an owner makes or changes an owner. The person\'s sessions end; their tokens carry the new role at once.' })),
  units: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 1000, description: 'A unit manager\'s units (at least one), replacing the ones they have. Only for a unit manager (or with `role: "unit_manager"`).' })),
}, { additionalProperties: false })

export const ColleagueInvitation = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  role: RoleName,
  units: Type.Array(UnitRef, { description: 'The units a unit manager will have.' }),
  invitedBy: Type.Union([Type.Object({ name: Type.String(), email: Type.String() }), Type.Null()], { description: 'Who sent it; null once they have been removed.' }),
  createdAt: Time,
  expiresAt: Time,
  expired: Type.Boolean({ description: 'The link has run out; send it again for a new one.' }),
}, { title: 'ColleagueInvitation' })

export const InviteBody = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 320 }),
  name: Type.Optional(Type.String({ maxLength: 100 })),
  role: Type.Unsafe<Role>({ ...RoleName, description: 'A role you may give: only an owner invites an owner.' }),
  units: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 1000, description: 'For a unit manager, at least one of your units.' })),
}, { additionalProperties: false })
