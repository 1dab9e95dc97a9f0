// Organizations (tenants) and the people in them.
import { sql } from 'kysely'
import { isUniqueViolation, type Db } from '../../db/connect.js'
import type { Keyset } from '../domain/cursor.js'
import { isUuid } from '../domain/formats.js'
import type { Role } from '../domain/types.js'
import { hashPassword } from '../security/passwords.js'
import { atomically } from './atomically.js'
import { inPage, pageFrom, timeKey, type Page, type PageRequest } from './keyset.js'

export async function countUsers(db: Db): Promise<number> {
  const { count } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
  return count
}

/** What signing in needs to know about a user: who they are, their organization, their hash. */
export interface UserCredentials {
  id: string
  organizationId: string
  /** null for an account that signs in only with single sign-on. */
  passwordHash: string | null
}

export async function findUserByEmail(db: Db, email: string): Promise<UserCredentials | undefined> {
  const row = await db.selectFrom('users').select(['id', 'organization_id', 'password_hash'])
    .where('email', '=', email.trim().toLowerCase()).executeTakeFirst()
  return row && { id: row.id, organizationId: row.organization_id, passwordHash: row.password_hash }
}

/**
 * First run from the environment: when ADMIN_EMAIL and ADMIN_PASSWORD are set and nobody has an
 * account yet, creates ORG_NAME and its owner. Returns true when it did. Instances started together
 * on one new database may all find nobody: the owner's unique email lets one create them, and the
 * others, refused whole, start as if they had found them.
 */
export async function bootstrapOrganization(
  db: Db,
  config: { adminEmail: string | null; adminPassword: string | null; orgName: string },
): Promise<boolean> {
  if (!config.adminEmail || !config.adminPassword || (await countUsers(db)) > 0) return false
  try {
    await createOrganizationWithOwner(db, { name: config.orgName, email: config.adminEmail, password: config.adminPassword })
  } catch (error) {
    if (isUniqueViolation(error)) return false
    throw error
  }
  return true
}

/** Creates an organization and its first owner together; fails whole if the email is taken. */
export async function createOrganizationWithOwner(
  db: Db,
  input: { name: string; email: string; password: string; ownerName?: string },
): Promise<{ organizationId: string; userId: string }> {
  const passwordHash = await hashPassword(input.password)
  return atomically(db, async (trx) => {
    const org = await trx.insertInto('organizations').values({ name: input.name.trim() }).returning('id').executeTakeFirstOrThrow()
    const user = await trx.insertInto('users').values({
      organization_id: org.id,
      email: input.email.trim().toLowerCase(),
      name: input.ownerName?.trim() ?? '',
      role: 'owner',
      password_hash: passwordHash,
    }).returning('id').executeTakeFirstOrThrow()
    return { organizationId: org.id, userId: user.id }
  })
}

/** An organization's settings, as the rest of the code names them. */
export interface OrganizationSettings {
  id: string
  name: string
  minGroupSize: number
  defaultLocale: string
  /** The From display name of survey mail ('' for the installation's own). */
  senderName: string
  /** Where replies to survey mail go; null for the From address. */
  replyTo: string | null
}

export async function getOrganization(db: Db, id: string): Promise<OrganizationSettings> {
  const row = await db.selectFrom('organizations').select(['id', 'name', 'min_group_size', 'default_locale', 'sender_name', 'reply_to'])
    .where('id', '=', id).executeTakeFirstOrThrow()
  return {
    id: row.id, name: row.name, minGroupSize: row.min_group_size, defaultLocale: row.default_locale,
    senderName: row.sender_name, replyTo: row.reply_to,
  }
}

/** Changes the settings given; the others stay as they are. */
export async function updateOrganization(db: Db, id: string, changes: Partial<Omit<OrganizationSettings, 'id'>>): Promise<void> {
  const set = {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.minGroupSize !== undefined ? { min_group_size: changes.minGroupSize } : {}),
    ...(changes.defaultLocale !== undefined ? { default_locale: changes.defaultLocale } : {}),
    ...(changes.senderName !== undefined ? { sender_name: changes.senderName } : {}),
    ...(changes.replyTo !== undefined ? { reply_to: changes.replyTo } : {}),
  }
  if (Object.keys(set).length === 0) return
  await db.updateTable('organizations').set(set).where('id', '=', id).execute()
}

/** A person of an organization as the settings pages show them; no password hash. */
export interface Person {
  id: string
  email: string
  name: string
  role: Role
  lastLoginAt: Date | null
}

const PERSON = ['id', 'email', 'name', 'role', 'last_login_at'] as const
const toPerson = (row: { id: string; email: string; name: string; role: Role; last_login_at: Date | null }): Person =>
  ({ id: row.id, email: row.email, name: row.name, role: row.role, lastLoginAt: row.last_login_at })

export async function listPeople(db: Db, organizationId: string): Promise<Person[]> {
  const rows = await db.selectFrom('users').select(PERSON).where('organization_id', '=', organizationId).orderBy('created_at').execute()
  return rows.map(toPerson)
}

export const PEOPLE_LIST: Keyset = { list: 'people', parts: ['time', 'uuid'] }

/** A page of the organization's people, in the order they joined (the API's list). */
export async function listPeoplePage(db: Db, organizationId: string, page: PageRequest): Promise<Page<Person>> {
  const query = db.selectFrom('users').select([...PERSON, timeKey('created_at').as('key_at')]).where('organization_id', '=', organizationId)
  const rows = await inPage(query, page, [sql.ref('created_at'), sql.ref('id')], 'asc').execute()
  return pageFrom(page, rows, (row) => [row.key_at, row.id], toPerson)
}

/** The person when they belong to the organization; undefined otherwise, also for an id that is not a UUID. */
export async function findPerson(db: Db, organizationId: string, userId: string): Promise<Person | undefined> {
  if (!isUuid(userId)) return undefined
  const row = await db.selectFrom('users').select(PERSON).where('organization_id', '=', organizationId).where('id', '=', userId).executeTakeFirst()
  return row ? toPerson(row) : undefined
}

/** Creates a person with a password they chose; for tests and the admin CLI (colleagues join by invitation). */
export async function addUser(
  db: Db,
  organizationId: string,
  input: { email: string; name: string; role: Role; password: string },
): Promise<string> {
  return insertUser(db, { organizationId, email: input.email, name: input.name, role: input.role, passwordHash: await hashPassword(input.password) })
}

/** Inserts an account; fails with a unique violation when the address already has one. */
export async function insertUser(
  db: Db,
  input: { organizationId: string; email: string; name: string; role: Role; passwordHash: string | null },
): Promise<string> {
  const { id } = await db.insertInto('users').values({
    organization_id: input.organizationId,
    email: input.email.trim().toLowerCase(),
    name: input.name.trim(),
    role: input.role,
    password_hash: input.passwordHash,
  }).returning('id').executeTakeFirstOrThrow()
  return id
}

/** Whether an address has an account (in any organization: an address signs in to one). */
export async function emailHasAccount(db: Db, email: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('email', '=', email.trim().toLowerCase()).executeTakeFirst()
  return row !== undefined
}

export async function setUserRole(db: Db, organizationId: string, userId: string, role: Role): Promise<boolean> {
  const result = await db.updateTable('users').set({ role })
    .where('organization_id', '=', organizationId).where('id', '=', userId).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function removeUser(db: Db, organizationId: string, userId: string): Promise<boolean> {
  const result = await db.deleteFrom('users').where('organization_id', '=', organizationId).where('id', '=', userId).executeTakeFirst()
  return result.numDeletedRows > 0n
}

/**
 * The ids of the organization's owners, their rows locked until the transaction `db` ends: a change
 * that must leave an owner checks this list and makes the change before another such change can
 * read it (on PostgreSQL the second waits, then sees the first one's result).
 */
export async function lockOwners(db: Db, organizationId: string): Promise<string[]> {
  const rows = await db.selectFrom('users').select('id')
    .where('organization_id', '=', organizationId).where('role', '=', 'owner').forUpdate().execute()
  return rows.map((row) => row.id)
}

export async function countOwners(db: Db, organizationId: string): Promise<number> {
  const { count } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organization_id', '=', organizationId).where('role', '=', 'owner').executeTakeFirstOrThrow()
  return count
}
