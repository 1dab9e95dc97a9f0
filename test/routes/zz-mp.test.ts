import { it } from 'vitest'
import { createTenant, describeEachDatabase, signedIn } from '../helpers/app.js'
describeEachDatabase('mp', (ctx) => { it('x', async () => {
  const a = await createTenant(ctx); const b = await signedIn(ctx, a.owner.email)
  ctx.app.addHook && 0
  const r = await b.request({ method: 'POST', url: '/contacts/import', payload: '--x\r\n', headers: { 'content-type': 'multipart/form-data', 'x-csrf-token': b.csrf! } })
  console.log(r.statusCode, r.body.slice(0, 200))
}) }, {}, {})
