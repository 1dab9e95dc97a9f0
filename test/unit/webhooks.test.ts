// The pure rules of webhooks: the signature against a value computed outside this code base, which
// addresses and URLs are refused, and what each answer decides.
import { describe, expect, it } from 'vitest'
import { backoffMs, MAX_ATTEMPTS } from '../../server/domain/mail.js'
import {
  addressRefusal, checkWebhookUrl, classifyAddress, decide, signature, signatureHeader, type AddressKind,
} from '../../server/domain/webhooks.js'
import { loadConfig } from '../../server/config.js'

describe('signature', () => {
  // printf '%s' "$T.$BODY" | openssl dgst -sha256 -hmac 'whsec_known_answer_secret'
  const body = '{"id":"9f1c2d3e-0000-4000-8000-000000000001","data":{"webhookId":"x"},"event":"ping","createdAt":"2026-01-01T00:00:00.000Z"}'
  const expected = '47491c373ed7374ffc07d94aca31a5d8484ecea65a024ac1141a9594a57b3ad1'

  it('is HMAC-SHA256 over "<t>.<body>" in hex, as openssl computes it', () => {
    expect(signature('whsec_known_answer_secret', 1767225600, body)).toBe(expected)
    expect(signatureHeader('whsec_known_answer_secret', 1767225600, body)).toBe(`t=1767225600,v1=${expected}`)
  })

  it('changes with the timestamp, the body and the secret', () => {
    expect(signature('whsec_known_answer_secret', 1767225601, body)).not.toBe(expected)
    expect(signature('whsec_known_answer_secret', 1767225600, body + ' ')).not.toBe(expected)
    expect(signature('whsec_known_answer_secreT', 1767225600, body)).not.toBe(expected)
  })
})

describe('addresses', () => {
  const table: Array<[string, AddressKind]> = [
    ['93.184.216.34', 'public'],
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'mapped'],
    ['::ffff:7f00:1', 'mapped'],
    ['::ffff:93.184.216.34', 'mapped'],
    ['::127.0.0.1', 'mapped'],
    ['64:ff9b::a00:1', 'mapped'],
    ['2002:a00:1::1', 'mapped'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['not an address', 'invalid'],
    ['1.2.3', 'invalid'],
  ]
  it.each(table)('%s is %s', (ip, kind) => {
    expect(classifyAddress(ip)).toBe(kind)
  })

  it('lets only public addresses through by default; the settings open loopback and private networks, nothing more', () => {
    const none = { allowLoopback: false, allowPrivate: false }
    expect(addressRefusal('93.184.216.34', none)).toBeNull()
    for (const ip of ['127.0.0.1', '::1', '10.0.0.1', '100.64.0.1', '169.254.169.254', '::ffff:127.0.0.1', 'fc00::1', '0.0.0.0']) {
      expect(addressRefusal(ip, none), ip).toMatch(new RegExp(`^${ip.replace(/[.:]/g, '\\$&')} `))
    }
    const loopback = { allowLoopback: true, allowPrivate: false }
    expect(addressRefusal('127.0.0.1', loopback)).toBeNull()
    expect(addressRefusal('::1', loopback)).toBeNull()
    expect(addressRefusal('10.0.0.1', loopback)).not.toBeNull()
    expect(addressRefusal('::ffff:127.0.0.1', loopback)).not.toBeNull()
    const privateToo = { allowLoopback: false, allowPrivate: true }
    expect(addressRefusal('10.0.0.1', privateToo)).toBeNull()
    expect(addressRefusal('fc00::1', privateToo)).toBeNull()
    expect(addressRefusal('100.64.0.1', privateToo)).toBeNull()
    expect(addressRefusal('127.0.0.1', privateToo)).not.toBeNull()
    expect(addressRefusal('169.254.169.254', { allowLoopback: true, allowPrivate: true })).not.toBeNull()
  })
})

describe('webhook URLs', () => {
  const none = { allowLoopback: false, allowPrivate: false }
  const loopback = { allowLoopback: true, allowPrivate: false }
  const refused = (url: string, policy = none) => {
    const checked = checkWebhookUrl(url, policy)
    return checked.ok ? null : checked.error
  }

  it('takes https URLs to names and public addresses', () => {
    expect(refused('https://hooks.example.com/service-gap?key=1')).toBeNull()
    expect(refused('https://93.184.216.34:8443/in')).toBeNull()
  })

  it('refuses plain http, other schemes, credentials, fragments and internal literals', () => {
    expect(refused('http://hooks.example.com/')).toMatch(/https/)
    expect(refused('ftp://hooks.example.com/')).toMatch(/https/)
    expect(refused('javascript:alert(1)')).toMatch(/https/)
    expect(refused('https://user:pass@hooks.example.com/')).toMatch(/user name and password/)
    expect(refused('https://hooks.example.com/#x')).toMatch(/#/)
    expect(refused('https://10.0.0.1/')).toMatch(/private network/)
    expect(refused('https://169.254.169.254/latest/meta-data')).toMatch(/link-local/)
    expect(refused('https://[::ffff:127.0.0.1]/')).toMatch(/IPv4 address written as IPv6/)
    expect(refused('https://[fc00::1]/')).toMatch(/private network/)
    expect(refused('https://100.64.0.1/')).toMatch(/carrier-grade NAT/)
    expect(refused('https://0.0.0.0/')).toMatch(/unspecified/)
    // WHATWG URL parsing turns these spellings into 127.0.0.1 before the check sees them.
    expect(refused('https://2130706433/')).toMatch(/loopback/)
    expect(refused('https://0x7f.1/')).toMatch(/loopback/)
    expect(refused('')).toMatch(/Enter/)
    expect(refused('not a url')).toMatch(/not a web address/)
    expect(refused(`https://example.com/${'x'.repeat(2000)}`)).toMatch(/longer/)
  })

  it('takes http to loopback only with WEBHOOKS_ALLOW_LOOPBACK, and never to another host', () => {
    expect(refused('http://127.0.0.1:8080/in')).toMatch(/https/)
    expect(refused('https://localhost/in')).toMatch(/loopback/)
    expect(refused('https://localhost./in')).toMatch(/loopback/)
    expect(refused('https://api.localhost/in')).toMatch(/loopback/)
    expect(refused('http://127.0.0.1:8080/in', loopback)).toBeNull()
    expect(refused('http://localhost:8080/in', loopback)).toBeNull()
    expect(refused('http://[::1]:8080/in', loopback)).toBeNull()
    expect(refused('http://hooks.example.com/in', loopback)).toMatch(/https/)
    expect(refused('http://10.0.0.1/in', { allowLoopback: true, allowPrivate: true })).toMatch(/https/)
  })

  it('reads the settings from the environment, off by default', () => {
    const base = { SIGNING_SECRET: 'x'.repeat(32), DATA_DIR: '/tmp/sg-unit-webhooks' }
    expect(loadConfig(base).webhooks).toEqual({ allowLoopback: false, allowPrivate: false })
    expect(loadConfig({ ...base, WEBHOOKS_ALLOW_LOOPBACK: 'true', WEBHOOKS_ALLOW_PRIVATE: 'yes' }).webhooks).toEqual({ allowLoopback: true, allowPrivate: true })
    expect(() => loadConfig({ ...base, WEBHOOKS_ALLOW_LOOPBACK: 'maybe' })).toThrow(/WEBHOOKS_ALLOW_LOOPBACK/)
  })
})

describe('what an answer decides', () => {
  it('delivers on 2xx', () => {
    expect(decide({ statusCode: 200 }, 1)).toEqual({ outcome: 'delivered' })
    expect(decide({ statusCode: 204 }, 6)).toEqual({ outcome: 'delivered' })
  })

  it('tries 5xx, 408, 429, timeouts and network errors again with backoff, until the last attempt', () => {
    for (const statusCode of [500, 502, 503, 408, 429]) expect(decide({ statusCode }, 1)).toEqual({ outcome: 'retry', inMs: backoffMs(1) })
    expect(decide({ statusCode: null, error: { kind: 'timeout', message: '' } }, 2)).toEqual({ outcome: 'retry', inMs: backoffMs(2) })
    expect(decide({ statusCode: null, error: { kind: 'network', message: '' } }, 3)).toEqual({ outcome: 'retry', inMs: backoffMs(3) })
    expect(decide({ statusCode: 500 }, MAX_ATTEMPTS)).toEqual({ outcome: 'failed', deactivate: false })
  })

  it('gives up at once on 3xx (not followed), other 4xx and refused addresses; 410 turns the webhook off', () => {
    for (const statusCode of [301, 302, 307, 400, 401, 403, 404, 422]) expect(decide({ statusCode }, 1)).toEqual({ outcome: 'failed', deactivate: false })
    expect(decide({ statusCode: null, error: { kind: 'refused', message: '' } }, 1)).toEqual({ outcome: 'failed', deactivate: false })
    expect(decide({ statusCode: 410 }, 1)).toEqual({ outcome: 'failed', deactivate: true })
  })
})
