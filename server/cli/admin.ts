// npm run admin -- <command>: administration from the command line.
//   create-org --name NAME --email EMAIL --password PASSWORD   prints the new organization's id
//   reset-password --email EMAIL                               prints a single-use reset link (30 minutes)
// Bad input prints what is wrong and exits with status 2.
//
// reset-password prints a link rather than taking a new password: a password given on the command
// line stays in the shell's history and is visible to other users in the process list, and whoever
// runs the command would know it. With the link, the locked-out person chooses it themselves, in the
// browser, under the same rules as any reset; the link works once and ends every session.
import { parseArgs } from 'node:util'
import { migrate } from '../repositories/migrate.js'
import { loadConfigOrExit } from '../config.js'
import { openOrExit } from '../database.js'
import { checkSetup, emailField } from '../domain/inputs.js'
import { ACCOUNT_MAIL_PATHS } from '../i18n/account-mail.js'
import { createOrganizationWithOwner, findUserByEmail } from '../repositories/organizations.js'
import { resetLinkFor, RESET_MINUTES } from '../services/passwords.js'

const USAGE = [
  'usage: npm run admin -- create-org --name NAME --email EMAIL --password PASSWORD',
  '       npm run admin -- reset-password --email EMAIL',
].join('\n')

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
if (command !== 'create-org' && command !== 'reset-password') fail(command ? `unknown command "${command}"` : 'no command given')

async function resetPassword(values: { email?: string; password?: string }) {
  if (values.password !== undefined) fail('--password: reset-password prints a link instead, so that no password appears on a command line; the person chooses it in the browser')
  const email = emailField(values.email)
  if (!email) fail('--email: Enter the email address of the account, like name@example.com.')
  const config = loadConfigOrExit(2)
  const db = openOrExit(config)
  let link: string | null
  try {
    await migrate(db)
    link = await resetLinkFor(db, email, { secret: config.signingSecret, publicUrl: config.publicUrl, resetPath: ACCOUNT_MAIL_PATHS.password_reset })
  } finally {
    await db.destroy()
  }
  if (!link) fail(`--email: no account has the address ${email}`)
  console.error(`A link for ${email} to choose a new password. It works once, for ${RESET_MINUTES} minutes, and replaces older links; using it signs out every session of the account.`)
  console.log(link)
}

async function createOrg({ name, email, password }: { name?: string; email?: string; password?: string }) {
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
}

if (command === 'reset-password') await resetPassword(parsed.values)
else await createOrg(parsed.values)
