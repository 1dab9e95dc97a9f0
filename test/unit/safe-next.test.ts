// Where sign-in may send a person afterwards: a path of this site, never anything a browser turns
// into another host.
import { describe, expect, it } from 'vitest'
import { safeNext } from '../../server/plugins/auth.js'

describe('safeNext', () => {
  it('keeps a path of this site, with its query and fragment', () => {
    for (const next of ['/units', '/waves/3f2c/report?side=staff', '/contacts?q=a%20b#list', '/waves/new']) expect(safeNext(next)).toBe(next)
  })

  it('refuses every path a browser reads as another host, decoded or not', () => {
    const offSite = ['//evil.test', '/\\evil.test', '\\\\evil.test', '/%5Cevil.test', '/%5cevil.test', '/%2F%2Fevil.test', '/%2f/evil.test',
      '/%09/evil.test', '/\t/evil.test', '/%0A/evil.test', '/\n/evil.test', '/%0D/evil.test', '/\r/evil.test', '/%252F%252Fevil.test',
      '/\u3000/evil.test', '/%E3%80%80/evil.test', '/%20/evil.test', ' //evil.test', 'https://evil.test', 'http:evil.test',
      'javascript:alert(1)', 'evil.test', '', '/%', '/%E0%A4%A', `/${'a'.repeat(2001)}`]
    for (const next of offSite) expect(safeNext(next), JSON.stringify(next)).toBe('/waves')
  })

  it('refuses what is not one string', () => {
    for (const next of [undefined, null, 42, ['/units'], { next: '/units' }]) expect(safeNext(next)).toBe('/waves')
  })
})
