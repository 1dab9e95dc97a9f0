// Colour contrast by WCAG 2.x: the relative luminance of an sRGB colour and the contrast ratio of two
// colours, (L1 + 0.05) / (L2 + 0.05). An organization's accent colour is used for text and buttons on
// white and as a background under white text, so it must reach 4.5:1 against white (level AA for
// normal text). When it does not, the nearest darker shade of the same hue that does is suggested.

export const MIN_CONTRAST = 4.5
export const WHITE = '#ffffff'

const HEX = /^#?([0-9a-f]{6})$/i

/** '#rrggbb' in lowercase, or null for anything else. */
export function parseHex(input: string): string | null {
  const match = HEX.exec(input.trim())
  return match ? `#${match[1]!.toLowerCase()}` : null
}

const channels = (hex: string): [number, number, number] => {
  const n = Number.parseInt(hex.slice(1), 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

const toHex = (rgb: readonly number[]) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`

/** WCAG relative luminance of '#rrggbb' (the sRGB threshold 0.04045, as WCAG 2.2 gives it). */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((value) => {
    const c = value / 255
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

export function contrastRatio(a: string, b: string): number {
  const [la, lb] = [relativeLuminance(a), relativeLuminance(b)]
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
}

/**
 * A ratio as people read it, to two decimals ("4.48:1"), except that a ratio below the threshold
 * never reads as reaching it (4.4999 shows "4.49:1", not "4.50:1").
 */
export function formatRatio(ratio: number): string {
  const rounded = Math.round(ratio * 100) / 100
  return `${(ratio < MIN_CONTRAST && rounded >= MIN_CONTRAST ? MIN_CONTRAST - 0.01 : rounded).toFixed(2)}:1`
}

function toHsl(hex: string): [number, number, number] {
  const [r, g, b] = channels(hex).map((c) => c / 255) as [number, number, number]
  const max = Math.max(r, g, b)
  const min = Math.min(r, g, b)
  const l = (max + min) / 2
  if (max === min) return [0, 0, l]
  const d = max - min
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min)
  const h = max === r ? (g - b) / d + (g < b ? 6 : 0) : max === g ? (b - r) / d + 2 : (r - g) / d + 4
  return [h / 6, s, l]
}

function fromHsl(h: number, s: number, l: number): string {
  if (s === 0) return toHex([l * 255, l * 255, l * 255])
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s
  const p = 2 * l - q
  const hue = (t: number) => {
    const u = t < 0 ? t + 1 : t > 1 ? t - 1 : t
    if (u < 1 / 6) return p + (q - p) * 6 * u
    if (u < 1 / 2) return q
    if (u < 2 / 3) return p + (q - p) * (2 / 3 - u) * 6
    return p
  }
  return toHex([hue(h + 1 / 3) * 255, hue(h) * 255, hue(h - 1 / 3) * 255])
}

/**
 * The lightest shade of the colour's hue and saturation, no lighter than the colour itself, whose
 * contrast against `background` reaches `min`: the colour itself when it passes. Lightness is lowered
 * in steps of 0.1 %, so the answer is the nearest darker shade to that precision (black passes always).
 */
export function nearestPassingShade(hex: string, background = WHITE, min = MIN_CONTRAST): string {
  if (contrastRatio(hex, background) >= min) return hex
  const [h, s, l] = toHsl(hex)
  for (let step = Math.floor(l * 1000); step >= 0; step--) {
    const shade = fromHsl(h, s, step / 1000)
    if (contrastRatio(shade, background) >= min) return shade
  }
  return '#000000'
}

/** The colour mixed with black by `share` (0 … 1): a darker shade for hover states. */
export function darken(hex: string, share: number): string {
  return toHex(channels(hex).map((c) => c * (1 - share)))
}
