// The branding rules: WCAG contrast with known answers, the darker shade suggested for a colour that
// fails, the accent the form asks for, and which logo files are accepted (real PNG, JPEG and WebP
// files made by Chromium's own encoders, in test/fixtures/).
import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { accentPalette, accentStylesheet, checkAccent, chosenAccent, PAGE_BACKGROUND } from '../../server/domain/branding.js'
import { contrastRatio, formatRatio, nearestPassingShade, parseHex, relativeLuminance, WHITE } from '../../server/domain/contrast.js'
import { checkLogo, MAX_LOGO_BYTES } from '../../server/domain/logo.js'
import { fixture } from '../helpers/fixtures.js'

describe('contrast (WCAG 2.x relative luminance)', () => {
  it('gives the published ratios against white', () => {
    expect(contrastRatio('#000000', WHITE)).toBeCloseTo(21, 10)
    expect(contrastRatio('#ffffff', WHITE)).toBe(1)
    expect(formatRatio(contrastRatio('#767676', WHITE))).toBe('4.54:1')
    expect(formatRatio(contrastRatio('#777777', WHITE))).toBe('4.48:1')
    expect(contrastRatio('#777777', WHITE)).toBeCloseTo(4.478, 3)
    expect(formatRatio(contrastRatio('#0000ff', WHITE))).toBe('8.59:1')
    expect(contrastRatio('#ff0000', WHITE)).toBeCloseTo(3.998, 3)
    expect(formatRatio(contrastRatio('#808080', WHITE))).toBe('3.95:1')
  })

  it('computes luminance from linearised sRGB channels', () => {
    expect(relativeLuminance('#ffffff')).toBe(1)
    expect(relativeLuminance('#000000')).toBe(0)
    // 0x76 = 118: (118/255 + 0.055) / 1.055 = 0.49069…, to the power 2.4 = 0.18116…
    expect(relativeLuminance('#767676')).toBeCloseTo(0.181164, 5)
    // Red alone is its coefficient.
    expect(relativeLuminance('#ff0000')).toBeCloseTo(0.2126, 10)
  })

  it('is symmetric: white text on the colour reads as well as the colour on white', () => {
    expect(contrastRatio(WHITE, '#1a5fb4')).toBe(contrastRatio('#1a5fb4', WHITE))
  })

  it('rounds to two decimals but never rounds a failing ratio up to 4.50', () => {
    expect(formatRatio(4.4999)).toBe('4.49:1')
    expect(formatRatio(4.546)).toBe('4.55:1')
    expect(formatRatio(4.5)).toBe('4.50:1')
  })

  it('reads #rrggbb in either case, with or without #, and nothing else', () => {
    expect(parseHex('#1A5FB4')).toBe('#1a5fb4')
    expect(parseHex(' 1a5fb4 ')).toBe('#1a5fb4')
    for (const bad of ['#fff', 'blue', '#1a5fb4;}', '#gggggg', 'rgb(0,0,0)', '']) expect(parseHex(bad)).toBeNull()
  })
})

describe('the nearest darker shade that passes', () => {
  it('is #767676 for #777777 (one step darker grey)', () => {
    expect(nearestPassingShade('#777777')).toBe('#767676')
  })

  it('keeps the hue, is darker, passes, and is the lightest that does', () => {
    for (const colour of ['#ff0000', '#ffa500', '#3399ff', '#00ff00', '#ff66cc', '#ffff00']) {
      const shade = nearestPassingShade(colour)
      expect(contrastRatio(shade, WHITE)).toBeGreaterThanOrEqual(4.5)
      expect(relativeLuminance(shade)).toBeLessThan(relativeLuminance(colour))
      // Just below the threshold: a shade much darker than needed would not be "nearest".
      expect(contrastRatio(shade, WHITE)).toBeLessThan(4.75)
    }
    expect(nearestPassingShade('#ff0000')).toMatch(/^#[a-f0-9]{2}0000$/)
  })

  it('is the colour itself when it passes already', () => {
    expect(nearestPassingShade('#1a5fb4')).toBe('#1a5fb4')
  })
})

describe('checkAccent', () => {
  it('accepts a colour at 4.5:1 or more, lowercased, and an empty field as "standard colours"', () => {
    expect(checkAccent('#767676')).toEqual({ ok: true, value: { accent: '#767676' } })
    expect(checkAccent('#1A5FB4')).toEqual({ ok: true, value: { accent: '#1a5fb4' } })
    expect(checkAccent('  ')).toEqual({ ok: true, value: { accent: null } })
  })

  it('refuses a colour below 4.5:1, saying the ratio measured and the shade that would pass', () => {
    const checked = checkAccent('#777777')
    expect(checked.ok).toBe(false)
    if (checked.ok) return
    expect(checked.errors.accent).toContain('4.48:1')
    expect(checked.errors.accent).toContain('#767676')
  })

  it('refuses text that is not a colour', () => {
    const checked = checkAccent('red; background:url(x)')
    expect(checked.ok).toBe(false)
  })
})

describe('chosenAccent: the picker or the text field, whichever changed', () => {
  it('takes the text field when it changed, also when emptied', () => {
    expect(chosenAccent({ accent: '#123456', accentPicker: '#1a5fb4', accentShown: '#1a5fb4' }, '#0b4f8a')).toBe('#123456')
    expect(chosenAccent({ accent: '', accentPicker: '#1a5fb4', accentShown: '#1a5fb4' }, '#0b4f8a')).toBe('')
  })
  it('takes the picker when only it changed', () => {
    expect(chosenAccent({ accent: '#1a5fb4', accentPicker: '#224466', accentShown: '#1a5fb4' }, '#0b4f8a')).toBe('#224466')
    expect(chosenAccent({ accent: '', accentPicker: '#224466', accentShown: '' }, '#0b4f8a')).toBe('#224466')
  })
  it('keeps what was shown when nothing changed (no colour stays no colour)', () => {
    expect(chosenAccent({ accent: '', accentPicker: '#0b4f8a', accentShown: '' }, '#0b4f8a')).toBe('')
  })
})

describe('accent palette and stylesheet', () => {
  it('derives a text shade that passes on the page background too', () => {
    const shades = accentPalette('#767676')
    expect(contrastRatio(shades.onPage, PAGE_BACKGROUND)).toBeGreaterThanOrEqual(4.5)
    expect(contrastRatio(shades.hover, WHITE)).toBeGreaterThan(contrastRatio('#767676', WHITE))
    expect(accentStylesheet('#1a5fb4')).toContain('--org-accent:#1a5fb4')
  })
})

/** A PNG written here byte by byte, so its header can be made to lie. */
function png(width: number, height: number, options: { badCrc?: boolean } = {}) {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0 })
  const crc = (b: Buffer) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0 }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const out = Buffer.alloc(8 + data.length + 4)
    out.writeUInt32BE(data.length, 0); body.copy(out, 4); out.writeUInt32BE(options.badCrc ? 0 : crc(body), 8 + data.length)
    return out
  }
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 0
  const rows = Buffer.alloc(Math.min(height, 64) * (Math.min(width, 64) + 1))
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))])
}

describe('checkLogo', () => {
  it('accepts real PNG, JPEG and WebP files and reads their pixel size', () => {
    expect(checkLogo(fixture('logo.png'))).toEqual({ ok: true, logo: { type: 'image/png', width: 240, height: 64 } })
    expect(checkLogo(fixture('logo.jpg'))).toEqual({ ok: true, logo: { type: 'image/jpeg', width: 240, height: 64 } })
    expect(checkLogo(fixture('logo.webp'))).toEqual({ ok: true, logo: { type: 'image/webp', width: 240, height: 64 } })
  })

  it('refuses SVG and HTML, whatever they are called', () => {
    expect(checkLogo(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))).toEqual({ ok: false, problem: 'svg' })
    expect(checkLogo(Buffer.from('\uFEFF<?xml version="1.0"?><svg/>'))).toEqual({ ok: false, problem: 'svg' })
    expect(checkLogo(Buffer.from('<!doctype html><script>alert(1)</script>'))).toEqual({ ok: false, problem: 'not_an_image' })
    expect(checkLogo(Buffer.from('GIF89a\x01\x00\x01\x00'))).toEqual({ ok: false, problem: 'not_an_image' })
  })

  it('refuses a file cut short or damaged', () => {
    const real = fixture('logo.png')
    expect(checkLogo(real.subarray(0, real.length - 20))).toEqual({ ok: false, problem: 'corrupt' })
    const flipped = Buffer.from(real); flipped[40] = flipped[40]! ^ 0xff
    expect(checkLogo(flipped)).toEqual({ ok: false, problem: 'corrupt' })
    expect(checkLogo(png(100, 50, { badCrc: true }))).toEqual({ ok: false, problem: 'corrupt' })
    const jpeg = fixture('logo.jpg')
    expect(checkLogo(jpeg.subarray(0, jpeg.length - 100))).toEqual({ ok: false, problem: 'corrupt' })
    const webp = fixture('logo.webp')
    expect(checkLogo(webp.subarray(0, webp.length - 10))).toEqual({ ok: false, problem: 'corrupt' })
    expect(checkLogo(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toEqual({ ok: false, problem: 'corrupt' })
  })

  it('refuses absurd pixel sizes, an empty file and one over 200 KB', () => {
    expect(checkLogo(png(100, 50))).toMatchObject({ ok: true })
    expect(checkLogo(png(20000, 20000))).toEqual({ ok: false, problem: 'too_large_pixels' })
    expect(checkLogo(png(8, 8))).toEqual({ ok: false, problem: 'too_small_pixels' })
    expect(checkLogo(png(4000, 20))).toEqual({ ok: false, problem: 'aspect' })
    expect(checkLogo(Buffer.alloc(0))).toEqual({ ok: false, problem: 'empty' })
    expect(checkLogo(Buffer.concat([fixture('logo.png'), Buffer.alloc(MAX_LOGO_BYTES)]))).toEqual({ ok: false, problem: 'too_large' })
  })
})
