// The shapes of an organization's branding in the API: the accent colour with the shades the pages
// derive from it, and the logo as the respondent pages show it.
import { Type } from 'typebox'
import { MIN_CONTRAST } from '../../domain/contrast.js'
import { MAX_LOGO_ASPECT, MAX_LOGO_BYTES, MAX_LOGO_SIDE, MIN_LOGO_SIDE } from '../../domain/logo.js'

const Url = Type.String({ format: 'uri' })

export const Branding = Type.Object({
  accent: Type.Union([Type.String({ pattern: '^#[0-9a-f]{6}$' }), Type.Null()], { description: 'The accent colour as #rrggbb, or null for the standard colours.' }),
  shades: Type.Union([Type.Object({
    accent: Type.String({ description: 'Buttons, links and headings on white.' }),
    onPage: Type.String({ description: 'Text on the respondent pages\' grey background.' }),
    hover: Type.String(),
  }), Type.Null()], { description: 'The shades the pages derive from the accent; null without one.' }),
  stylesheet: Type.Union([Url, Type.Null()], { description: 'The stylesheet that carries the accent, as the respondent pages link it.' }),
  logo: Type.Union([Type.Object({
    url: Url,
    type: Type.Unsafe<'image/png' | 'image/jpeg' | 'image/webp'>({ type: 'string', enum: ['image/png', 'image/jpeg', 'image/webp'] }),
    width: Type.Integer(),
    height: Type.Integer(),
  }), Type.Null()], { description: 'The logo the respondent pages, posters and survey mail show; null for none.' }),
}, { title: 'Branding' })

export const ChangeBrandingBody = Type.Object({
  accent: Type.Union([Type.String({ maxLength: 20 }), Type.Null()], {
    description: `#rrggbb with a contrast of at least ${MIN_CONTRAST}:1 against white (WCAG AA), or null (or "") for the standard colours. A colour that falls short is refused with the nearest darker shade that passes.`,
  }),
}, { additionalProperties: false })

export const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'application/octet-stream'] as const

export const LOGO_RULES = `PNG, JPEG or WebP, told by the file's own bytes (the content type sent is not trusted; SVG is refused), `
  + `at most ${MAX_LOGO_BYTES / 1024} KB, each side ${MIN_LOGO_SIDE}–${MAX_LOGO_SIDE} pixels, the longer at most ${MAX_LOGO_ASPECT} times the shorter.`

export const LogoBody = {
  content: Object.fromEntries(LOGO_TYPES.map((type) => [type, { schema: Type.Unknown({ description: 'The image file\'s bytes.' }) }])),
}
