// Which logo files are accepted: PNG, JPEG or WebP only, told apart by their first bytes (never by
// the name or the type a browser claims), at most 200 KB, with a sane pixel size read from the file's
// own header. SVG is refused on purpose: it is a document that can carry scripts. The structure of
// each file is walked far enough to refuse one cut short or damaged (a PNG's chunks and their CRCs, a
// JPEG's markers up to its frame header and its end marker, a WebP's RIFF length).

export type LogoType = 'image/png' | 'image/jpeg' | 'image/webp'

export const MAX_LOGO_BYTES = 200 * 1024
export const MIN_LOGO_SIDE = 16
export const MAX_LOGO_SIDE = 4096
/** The longer side at most this many times the shorter: a 4000 × 16 strip is not a logo. */
export const MAX_LOGO_ASPECT = 10

export const LOGO_EXTENSIONS: Record<LogoType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' }

export interface Logo {
  type: LogoType
  width: number
  height: number
}

export type LogoCheck =
  | { ok: true; logo: Logo }
  | { ok: false; problem: 'empty' | 'too_large' | 'not_an_image' | 'svg' | 'corrupt' | 'too_small_pixels' | 'too_large_pixels' | 'aspect' }

export const LOGO_PROBLEMS: Record<Exclude<LogoCheck, { ok: true }>['problem'], string> = {
  empty: 'Choose a logo file: a PNG, JPEG or WebP image.',
  too_large: `The logo is larger than ${MAX_LOGO_BYTES / 1024} KB. Save it smaller (a logo 600 pixels wide is plenty) and upload it again.`,
  not_an_image: 'This file is not a PNG, JPEG or WebP image. Export the logo in one of those formats and upload it again.',
  svg: 'SVG files are not accepted, because they can carry scripts. Export the logo as PNG (or JPEG or WebP) and upload that.',
  corrupt: 'This image file is damaged or incomplete. Export the logo again and upload the new file.',
  too_small_pixels: `The logo is too small: each side needs at least ${MIN_LOGO_SIDE} pixels.`,
  too_large_pixels: `The logo is too large: each side may have at most ${MAX_LOGO_SIDE} pixels.`,
  aspect: `The logo is too narrow for its length: its longer side may be at most ${MAX_LOGO_ASPECT} times its shorter side.`,
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0
const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8)
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)
const ascii = (b: Uint8Array, at: number, length: number) => String.fromCharCode(...b.subarray(at, at + length))

type Size = { width: number; height: number } | null

function pngSize(b: Uint8Array): Size {
  let at = 8
  let size: Size = null
  let first = true
  while (at + 12 <= b.length) {
    const length = u32be(b, at)
    const type = ascii(b, at + 4, 4)
    const end = at + 8 + length
    if (end + 4 > b.length) return null
    if (crc32(b, at + 4, end) !== u32be(b, end)) return null
    if (first) {
      if (type !== 'IHDR' || length !== 13) return null
      size = { width: u32be(b, at + 8), height: u32be(b, at + 12) }
      first = false
    }
    if (type === 'IEND') return size
    at = end + 4
  }
  return null
}

function jpegSize(b: Uint8Array): Size {
  let end = b.length
  while (end > 2 && b[end - 1] === 0) end--
  if (b[end - 2] !== 0xff || b[end - 1] !== 0xd9) return null
  let at = 2
  while (at + 4 <= end) {
    if (b[at] !== 0xff) return null
    const marker = b[at + 1]!
    if (marker === 0xff) { at++; continue }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue }
    const length = u16be(b, at + 2)
    if (length < 2 || at + 2 + length > end) return null
    const frame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (frame) return length >= 7 ? { width: u16be(b, at + 7), height: u16be(b, at + 5) } : null
    if (marker === 0xda || marker === 0xd9) return null // image data or the end before any frame header
    at += 2 + length
  }
  return null
}

function webpSize(b: Uint8Array): Size {
  if (b.length < 30 || (b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24)) >>> 0 !== b.length - 8) return null
  const chunk = ascii(b, 12, 4)
  if (chunk === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff }
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return null
    const bits = (b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24)) >>> 0
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }
  }
  if (chunk === 'VP8X') return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 }
  return null
}

/** Whether the bytes look like SVG or other markup (after a byte-order mark and white space). */
function looksLikeMarkup(b: Uint8Array): boolean {
  const head = ascii(b, 0, Math.min(b.length, 512)).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase()
  return head.startsWith('<') && (head.includes('<svg') || head.startsWith('<?xml'))
}

/** Checks an uploaded logo file and reads its type and pixel size. */
export function checkLogo(bytes: Uint8Array): LogoCheck {
  if (bytes.length === 0) return { ok: false, problem: 'empty' }
  if (bytes.length > MAX_LOGO_BYTES) return { ok: false, problem: 'too_large' }
  let type: LogoType
  let size: Size
  if (PNG_SIGNATURE.every((value, i) => bytes[i] === value)) [type, size] = ['image/png', pngSize(bytes)]
  else if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) [type, size] = ['image/jpeg', jpegSize(bytes)]
  else if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') [type, size] = ['image/webp', webpSize(bytes)]
  else return { ok: false, problem: looksLikeMarkup(bytes) ? 'svg' : 'not_an_image' }
  if (!size || size.width === 0 || size.height === 0) return { ok: false, problem: 'corrupt' }
  const { width, height } = size
  if (width > MAX_LOGO_SIDE || height > MAX_LOGO_SIDE) return { ok: false, problem: 'too_large_pixels' }
  if (width < MIN_LOGO_SIDE || height < MIN_LOGO_SIDE) return { ok: false, problem: 'too_small_pixels' }
  if (Math.max(width, height) > MAX_LOGO_ASPECT * Math.min(width, height)) return { ok: false, problem: 'aspect' }
  return { ok: true, logo: { type, width, height } }
}
