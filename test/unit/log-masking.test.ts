// Token paths never reach the log: survey and unsubscribe links, password resets and invitations,
// however the path is spelled (percent-encoded, upper case, doubled slashes, absolute form).
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { buildApp, loggerOptions, maskTokens } from '../../server/app.js'
import { createTestDatabase } from '../helpers/databases.js'
import { testConfig } from '../helpers/app.js'

const SECRET = 'SeCrEtToKeN123456789'

describe('maskTokens', () => {
  it.each([
    [`/s/${SECRET}`, '/s/[token]'],
    [`/s/${SECRET}?lang=de`, '/s/[token]'],
    [`/s/${SECRET}/thanks`, '/s/[token]'],
    [`/k/${SECRET}`, '/k/[token]'],
    [`/k/${SECRET}/thanks?lang=es&stay`, '/k/[token]'],
    [`/%6B/${SECRET}`, '/k/[token]'],
    [`/u/${SECRET}`, '/u/[token]'],
    [`/%73/${SECRET}`, '/s/[token]'],
    [`/%53/${SECRET}`, '/s/[token]'],
    [`/%75/${SECRET}`, '/u/[token]'],
    [`/%55/${SECRET}`, '/u/[token]'],
    [`/S/${SECRET}`, '/s/[token]'],
    [`//s/${SECRET}`, '/s/[token]'],
    [`//u//${SECRET}`, '/u/[token]'],
    [`/%2fu/${SECRET}`, '/u/[token]'],
    [`/%2F%2Fs%2F${SECRET}`, '/s/[token]'],
    [`/reset-password/${SECRET}`, '/reset-password/[token]'],
    [`/%72eset-password/${SECRET}`, '/reset-password/[token]'],
    [`/join/${SECRET}`, '/join/[token]'],
    [`/JOIN/${SECRET}?x=1`, '/join/[token]'],
    [`/s?token=${SECRET}`, '/s/[token]'],
    [`http://sg.test/s/${SECRET}`, '/s/[token]'],
    [`/u/${SECRET}%zz`, '/u/[token]'],
  ])('%s logs as %s', (url, masked) => {
    expect(maskTokens(url)).toBe(masked)
  })

  it.each([
    ['/waves/123?tab=report', '/waves/123?[query]'],
    ['/contacts?q=ana%40example.test', '/contacts?[query]'],
    ['/api/v1/contacts/export?email=ana@example.test', '/api/v1/contacts/export?[query]'],
  ])('keeps only the path of %s: queries can carry personal data', (url, logged) => {
    expect(maskTokens(url)).toBe(logged)
  })

  it.each(['/waves', '/', '/s', '/units'])('leaves %s alone', (url) => {
    expect(maskTokens(url)).toBe(url)
  })
})

describe('request log', () => {
  it('shows the masked form of every token path the server receives', async () => {
    let output = ''
    const stream = new Writable({ write(chunk, _encoding, done) { output += chunk.toString(); done() } })
    const database = await createTestDatabase('pglite')
    const app = await buildApp({ config: testConfig(), db: database.db, logger: loggerOptions('info', stream), mail: { worker: false } })
    try {
      for (const url of [`/u/${SECRET}`, `/%73/${SECRET}`, `/%75/${SECRET}?x=${SECRET}`, `//u/${SECRET}`, `/reset-password/${SECRET}`, `/join/${SECRET}`]) {
        await app.inject({ method: 'GET', url })
      }
      await app.inject({ method: 'POST', url: `/u/${SECRET}`, payload: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    } finally {
      await app.close()
      await database.drop()
    }
    expect(output).toContain('/u/[token]')
    expect(output).toContain('/s/[token]')
    expect(output).not.toContain(SECRET)
  })
})
