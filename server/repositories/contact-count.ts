// How many contacts an organization has: the wave page offers invitations only when there are some.
import type { Db } from '../../db/connect.js'

export async function countContacts(db: Db, organizationId: string): Promise<number> {
  const row = await db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', organizationId).executeTakeFirstOrThrow()
  return Number(row.n)
}
