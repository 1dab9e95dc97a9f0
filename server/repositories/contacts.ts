// Contacts: stored in batches (insert, or update the contact with the same email and side), and
// listed with search, filters and pages (numbered, or keyset after a given contact); one is read and
// changed by its id. "Unsubscribed" is not a column of the contact: it is an
// entry in `unsubscribes` for the organization and email, which outlives any contact row.
import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Database } from '../../db/schema.js'
import type { Side } from '../domain/types.js'
import { CONTACTS_PER_PAGE, type ContactFilters, type ContactRow } from '../domain/contacts.js'

export interface ContactListItem {
  id: string
  email: string
  name: string
  side: Side
  unit: { id: string; name: string } | null
  locale: string | null
  attributes: Record<string, string>
  unsubscribed: boolean
  createdAt: Date
  updatedAt: Date
}

type Optional = 'name' | 'unitId' | 'locale' | 'attributes'
const OPTIONAL: readonly Optional[] = ['name', 'unitId', 'locale', 'attributes']

/** Which optional fields a row gives, as a key: rows with the same key are written by one statement. */
const fieldsOf = (row: ContactRow) => OPTIONAL.filter((field) => row[field] !== undefined)

/**
 * Stores a batch: new contacts are inserted; a contact with the same email and side gets the fields
 * the row gives. The batch must not hold the same email and side twice. A batch takes a statement
 * per set of fields its rows give, so the caller passes a transaction to have it stored whole.
 * The rows travel as one array per column (unnest), not as thousands of parameters.
 */
export async function upsertContacts(db: Db, organizationId: string, rows: readonly ContactRow[]): Promise<{ created: number; updated: number }> {
  if (rows.length === 0) return { created: 0, updated: 0 }
  const groups = new Map<string, ContactRow[]>()
  for (const row of rows) {
    const key = fieldsOf(row).join(',')
    const group = groups.get(key)
    if (group) group.push(row)
    else groups.set(key, [row])
  }
  let created = 0
  for (const group of groups.values()) {
    const fields = new Set(fieldsOf(group[0]!))
    const inserted = await db.insertInto('contacts')
      .columns(['organization_id', 'email', 'side', 'name', 'unit_id', 'locale', 'attributes'])
      .expression(sql`select ${organizationId}::uuid, * from unnest(
        ${group.map((row) => row.email)}::text[], ${group.map((row) => row.side)}::text[], ${group.map((row) => row.name ?? '')}::text[],
        ${group.map((row) => row.unitId ?? null)}::uuid[], ${group.map((row) => row.locale ?? null)}::text[],
        ${group.map((row) => JSON.stringify(row.attributes ?? {}))}::jsonb[])`)
      .onConflict((oc) => oc.columns(['organization_id', 'email', 'side']).doUpdateSet((eb) => ({
        updated_at: sql<Date>`now()`,
        ...(fields.has('name') ? { name: eb.ref('excluded.name') } : {}),
        ...(fields.has('unitId') ? { unit_id: eb.ref('excluded.unit_id') } : {}),
        ...(fields.has('locale') ? { locale: eb.ref('excluded.locale') } : {}),
        ...(fields.has('attributes') ? { attributes: eb.ref('excluded.attributes') } : {}),
      })))
      // xmax is 0 on a row version this statement inserted, and set on one it updated.
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .execute()
    created += inserted.filter((row) => row.inserted).length
  }
  return { created, updated: rows.length - created }
}

const unsubscribed = (eb: ExpressionBuilder<Database & { c: Database['contacts'] }, 'c'>) =>
  eb.exists(eb.selectFrom('unsubscribes as u').select(sql`1`.as('one'))
    .whereRef('u.organization_id', '=', 'c.organization_id').whereRef('u.email', '=', 'c.email'))

/** LIKE treats % and _ as wildcards and \ as its escape; what a person searches for is taken literally. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`

function filtered<O>(query: SelectQueryBuilder<Database & { c: Database['contacts'] }, 'c', O>, organizationId: string, filters: ContactFilters) {
  return query
    .where('c.organization_id', '=', organizationId)
    .$if(filters.q !== '', (q) => q.where((eb) => eb.or([eb('c.email', 'ilike', likePattern(filters.q)), eb('c.name', 'ilike', likePattern(filters.q))])))
    .$if(filters.side !== null, (q) => q.where('c.side', '=', filters.side!))
    .$if(filters.unitId !== null, (q) => q.where('c.unit_id', '=', filters.unitId!))
    .$if(filters.unsubscribed === true, (q) => q.where((eb) => unsubscribed(eb)))
    .$if(filters.unsubscribed === false, (q) => q.where((eb) => eb.not(unsubscribed(eb))))
    .$if(filters.attribute !== null && filters.attribute.value !== '', (q) =>
      q.where(sql<boolean>`c.attributes @> ${JSON.stringify({ [filters.attribute!.name]: filters.attribute!.value })}::jsonb`))
    .$if(filters.attribute !== null && filters.attribute.value === '', (q) =>
      q.where(sql<boolean>`(c.attributes ->> ${filters.attribute!.name}) is not null`))
}

/** Where a contact stands in the list's order: by email, then side, then id (which no two share). */
export interface ContactKey { email: string; side: Side; id: string }

/**
 * Which rows of the list: `limit` of them, after the contact `after` (keyset paging) or else after
 * skipping `offset` rows (the pages' numbered pages).
 */
export interface ContactPaging { limit: number; offset: number; after: ContactKey | null }

const pageOfFilters = (filters: ContactFilters): ContactPaging => ({ limit: CONTACTS_PER_PAGE, offset: (filters.page - 1) * CONTACTS_PER_PAGE, after: null })

type ContactQuery = SelectQueryBuilder<Database & { c: Database['contacts'] }, 'c', object>

/** The list's columns of the contacts a query selects, with their unit's name and unsubscribe state. */
const withUnit = (query: ContactQuery) => query
  .leftJoin('units as un', (join) => join.onRef('un.id', '=', 'c.unit_id').onRef('un.organization_id', '=', 'c.organization_id'))
  .select(['c.id', 'c.email', 'c.name', 'c.side', 'c.unit_id', 'un.name as unit_name', 'c.locale', 'c.attributes', 'c.created_at', 'c.updated_at'])
  .select((eb) => unsubscribed(eb).as('unsubscribed'))

type Selected = Awaited<ReturnType<ReturnType<typeof withUnit>['executeTakeFirstOrThrow']>>

const listItem = (row: Selected): ContactListItem => ({
  id: row.id,
  email: row.email,
  name: row.name,
  side: row.side,
  unit: row.unit_id && row.unit_name ? { id: row.unit_id, name: row.unit_name } : null,
  locale: row.locale,
  attributes: row.attributes,
  unsubscribed: Boolean(row.unsubscribed),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

/** A page of contacts (by email, then side, then id) and how many match the filters in all. */
export async function listContacts(db: Db, organizationId: string, filters: ContactFilters, paging = pageOfFilters(filters)): Promise<{ contacts: ContactListItem[]; total: number }> {
  const after = paging.after
  const [rows, count] = await Promise.all([
    withUnit(filtered(db.selectFrom('contacts as c'), organizationId, filters))
      .$if(after !== null, (q) => q.where(sql<boolean>`(c.email, c.side, c.id) > (${after!.email}, ${after!.side}, ${after!.id}::uuid)`))
      .orderBy('c.email').orderBy('c.side').orderBy('c.id')
      .limit(paging.limit).offset(after === null ? paging.offset : 0)
      .execute(),
    filtered(db.selectFrom('contacts as c'), organizationId, filters)
      .select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ])
  return { total: Number(count.total), contacts: rows.map(listItem) }
}

/** One contact of the organization as the list shows it; `lock` holds the row until the transaction ends. */
export async function getContact(db: Db, organizationId: string, contactId: string, lock = false): Promise<ContactListItem | undefined> {
  const row = await withUnit(db.selectFrom('contacts as c')).where('c.organization_id', '=', organizationId).where('c.id', '=', contactId)
    .$if(lock, (q) => q.forUpdate('c')).executeTakeFirst()
  return row && listItem(row)
}

/** Writes the fields a change gives (and when it was made); false when there is no such contact. */
export async function updateContact(db: Db, organizationId: string, contactId: string, fields: Omit<ContactRow, 'email' | 'side'>): Promise<boolean> {
  const result = await db.updateTable('contacts')
    .set({
      updated_at: sql<Date>`now()`,
      ...(fields.name === undefined ? {} : { name: fields.name }),
      ...(fields.unitId === undefined ? {} : { unit_id: fields.unitId }),
      ...(fields.locale === undefined ? {} : { locale: fields.locale }),
      ...(fields.attributes === undefined ? {} : { attributes: JSON.stringify(fields.attributes) }),
    })
    .where('organization_id', '=', organizationId).where('id', '=', contactId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** How many contacts an organization has: the wave page offers invitations only when there are some. */
export async function countContacts(db: Db, organizationId: string): Promise<number> {
  const row = await db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', organizationId).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** One contact of the organization, for the deletion's confirmation; undefined when there is none. */
export async function findContact(db: Db, organizationId: string, contactId: string) {
  const row = await db.selectFrom('contacts').select(['id', 'email', 'name', 'side', 'created_at'])
    .where('organization_id', '=', organizationId).where('id', '=', contactId).executeTakeFirst()
  if (!row) return undefined
  const invitations = await db.selectFrom('invitations').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', organizationId).where('contact_id', '=', contactId).executeTakeFirstOrThrow()
  return { id: row.id, email: row.email, name: row.name, side: row.side, createdAt: row.created_at, invitations: Number(invitations.n) }
}
