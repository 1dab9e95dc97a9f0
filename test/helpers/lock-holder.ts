// A process that opens an embedded database and keeps it open until killed (the lock tests signal it).
// Usage: node --import tsx test/helpers/lock-holder.ts <dataDir>
import { sql } from 'kysely'
import { openDatabase } from '../../db/connect.js'

const db = openDatabase({ url: null, dataDir: process.argv[2]! })
await sql`select 1`.execute(db)
console.log('holding')
setInterval(() => {}, 60_000)
