// npm run admin -- <command>: administration from the command line.
//   create-org --name NAME --email EMAIL --password PASSWORD   prints the new organization's id
// Bad input prints what is wrong and exits with status 2.
import { parseArgs } from 'node:util'
import { migrate } from '../repositories/migrate.js'
import { loadConfigOrExit } from '../config.js'
import { openOrExit } from '../database.js'
import { checkSetup } from '../domain/inputs.js'
import { createOrganizationWithOwner, findUserByEmail } from '../repositories/organizations.js'

const USAGE = 'usage: npm run admin -- create-org --name NAME --email EMAIL --password PASSWORD'

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`)
  process.exit(2)
}

let parsed
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' } },
  })
} catch (error) {
  fail((error as Error).message)
}
const [command] = parsed.positionals
if (command !== 'create-org') fail(command ? `unknown command "${command}"` : 'no command given')

const { name, email, password } = parsed.values
const checked = checkSetup({ organization: name, email, password, confirm: password })
if (!checked.ok) {
  const flags: Record<string, string> = { organization: '--name', email: '--email', password: '--password' }
  fail(Object.entries(checked.errors).map(([field, message]) => `${flags[field] ?? field}: ${message}`).join('\n'))
}

const db = openOrExit(loadConfigOrExit(2))
try {
  await migrate(db)
  if (await findUserByEmail(db, checked.value.email)) {
    await db.destroy()
    fail(`--email: ${checked.value.email} already has an account`)
  }
  const { organizationId } = await createOrganizationWithOwner(db, {
    name: checked.value.organization, email: checked.value.email, password: checked.value.password,
  })
  console.log(organizationId)
} finally {
  await db.destroy()
}
