// Kiosk mode's rules and signatures: the daily cap typed on the admin form, how old a form must be,
// the device buckets of the rolling window, and the device cookie and render token, which verify only
// for the server, kiosk and device they were made for.
import { describe, expect, it } from 'vitest'
import { checkDailyCap, deviceBuckets, formAge, KIOSK_LIMITS, kioskDay } from '../../server/domain/kiosk.js'
import { kioskText, KIOSK_LOCALES } from '../../server/i18n/kiosk.js'
import { deviceHash, newDevice, readDevice, readRenderToken, renderToken } from '../../server/security/kiosk.js'

const SECRET = 'kiosk-test-secret-kiosk-test-secret-0123'
const KIOSK = 'K'.repeat(43)

describe('the daily cap', () => {
  it('takes a whole number from 1 to 10,000, trimmed', () => {
    expect(checkDailyCap(' 300 ')).toEqual({ ok: true, value: 300 })
    expect(checkDailyCap('1')).toEqual({ ok: true, value: 1 })
    expect(checkDailyCap('10000')).toEqual({ ok: true, value: 10_000 })
  })
  it('refuses anything else with a message for the field', () => {
    for (const bad of ['', '0', '10001', '-5', '2.5', '1e3', 'abc', '٣', undefined, ['5'], 5]) {
      const checked = checkDailyCap(bad)
      expect(checked.ok, String(bad)).toBe(false)
      if (!checked.ok) expect(checked.errors.dailyCap).toMatch(/^Enter /)
    }
  })
})

describe('the age of a form', () => {
  const shown = Date.parse('2026-12-02T10:00:00Z')
  it('is too fast before the minimum time, fine from it on, stale past the maximum age', () => {
    expect(formAge(shown, shown + KIOSK_LIMITS.minSeconds * 1000 - 1, KIOSK_LIMITS)).toBe('too_fast')
    expect(formAge(shown, shown + KIOSK_LIMITS.minSeconds * 1000, KIOSK_LIMITS)).toBe('ok')
    expect(formAge(shown, shown + KIOSK_LIMITS.maxFormAgeMinutes * 60_000, KIOSK_LIMITS)).toBe('ok')
    expect(formAge(shown, shown + KIOSK_LIMITS.maxFormAgeMinutes * 60_000 + 1, KIOSK_LIMITS)).toBe('stale')
  })
  it('treats a time ahead of the clock as too fast', () => {
    expect(formAge(shown + 60_000, shown, KIOSK_LIMITS)).toBe('too_fast')
  })
})

describe('the device window', () => {
  it('counts in ten-minute buckets and reaches back over the whole window', () => {
    const { bucket, windowStart } = deviceBuckets(new Date('2026-12-02T10:17:42Z'), KIOSK_LIMITS)
    expect(bucket.toISOString()).toBe('2026-12-02T10:10:00.000Z')
    expect(windowStart.toISOString()).toBe('2026-12-02T09:20:00.000Z')
    expect(kioskDay(new Date('2026-12-02T23:59:59Z'))).toBe('2026-12-02')
  })
})

describe('the device cookie', () => {
  it('verifies only as issued by this server', () => {
    const { deviceId, cookie } = newDevice(SECRET)
    expect(readDevice(SECRET, cookie)).toBe(deviceId)
    expect(readDevice('another-secret-another-secret-another-0', cookie)).toBeNull()
    const [id, signature] = cookie.split('.')
    for (const bad of [undefined, '', id, `${id}.`, `${id}.${signature}.x`, `${id}x.${signature}`, `${id}.${signature!.slice(1)}`, `${'A'.repeat(22)}.${signature}`, 'x'.repeat(500)]) {
      expect(readDevice(SECRET, bad), String(bad)).toBeNull()
    }
  })
  it('is stored only as a hash', () => {
    const { deviceId } = newDevice(SECRET)
    expect(deviceHash(deviceId)).toMatch(/^[0-9a-f]{64}$/)
    expect(deviceHash(deviceId)).not.toContain(deviceId)
  })
})

describe('the render token', () => {
  it('carries when the form was shown and a one-time key, for one kiosk and one device', () => {
    const { deviceId } = newDevice(SECRET)
    const token = renderToken(SECRET, KIOSK, deviceId, 1_790_000_000_000)
    const read = readRenderToken(SECRET, KIOSK, deviceId, token)
    expect(read?.renderedAt).toBe(1_790_000_000_000)
    expect(read?.submissionKey).toMatch(/^[\w-]{22}$/)
    expect(renderToken(SECRET, KIOSK, deviceId, 1_790_000_000_000)).not.toBe(token)
    expect(readRenderToken(SECRET, 'L'.repeat(43), deviceId, token)).toBeNull()
    expect(readRenderToken(SECRET, KIOSK, newDevice(SECRET).deviceId, token)).toBeNull()
    const [time, key, signature] = token.split('.')
    for (const bad of [`${Number(time) - 1}.${key}.${signature}`, `${time}.${'A'.repeat(22)}.${signature}`, `${time}.${key}`, `${time}.${key}.${signature}.x`, 'junk', 42, null]) {
      expect(readRenderToken(SECRET, KIOSK, deviceId, bad), String(bad)).toBeNull()
    }
  })
})

describe('the kiosk texts', () => {
  it('exist in five languages and fall back to English', () => {
    expect([...KIOSK_LOCALES].sort()).toEqual(['de', 'en', 'es', 'fr', 'pt'])
    expect(kioskText('xx')).toBe(kioskText('en'))
    expect(kioskText('__proto__')).toBe(kioskText('en'))
    const texts = new Set(KIOSK_LOCALES.map((locale) => kioskText(locale).capTitle))
    expect(texts.size).toBe(5)
  })
})
