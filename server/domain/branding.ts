// An organization's branding as the pages use it: the accent colour a person chose (checked for
// contrast), the shades derived from it, the tiny stylesheet that carries them, and the public
// addresses of the stylesheet and the logo. Both addresses are named by their content (the colour,
// the logo's hash), so they can be cached for a year and a change is a new address.
import { contrastRatio, darken, formatRatio, MIN_CONTRAST, nearestPassingShade, parseHex, WHITE } from './contrast.js'
import type { Checked } from './inputs.js'
import { LOGO_EXTENSIONS, type LogoType } from './logo.js'

/** The respondent pages' background, on which the organization's name and language links stand. */
export const PAGE_BACKGROUND = '#f4f6f9'

export interface Branding {
  /** '#rrggbb', or null for the standard colours. */
  accent: string | null
  logo: { hash: string; type: LogoType; width: number; height: number } | null
}

export const NO_BRANDING: Branding = { accent: null, logo: null }

/**
 * Which colour the form asks for. The form has a colour picker and a text field showing the same
 * colour (`shown`: the saved one, '' for none); without JavaScript to keep them in step, the one the
 * person changed wins, the text field first. An emptied text field asks for the standard colours.
 */
export function chosenAccent(input: { accent?: unknown; accentPicker?: unknown; accentShown?: unknown }, defaultPicker: string): string {
  const text = typeof input.accent === 'string' ? input.accent.trim() : ''
  const shown = typeof input.accentShown === 'string' ? input.accentShown.trim() : ''
  const picker = typeof input.accentPicker === 'string' ? input.accentPicker.trim().toLowerCase() : ''
  if (text.toLowerCase() !== shown.toLowerCase()) return text
  if (picker !== '' && picker !== (shown || defaultPicker).toLowerCase()) return picker
  return text
}

/** The accent colour typed or picked: '#rrggbb' that passes against white, or '' (null) for none. */
export function checkAccent(input: string): Checked<{ accent: string | null; }> {
  if (input.trim() === '') return { ok: true, value: { accent: null } }
  const hex = parseHex(input)
  if (!hex) return { ok: false, errors: { accent: 'Enter the colour as # and six hexadecimal digits, like #1a5fb4, or leave it empty for the standard colours.' } }
  const ratio = contrastRatio(hex, WHITE)
  if (ratio < MIN_CONTRAST) {
    return {
      ok: false,
      errors: {
        accent: `${hex} has a contrast of ${formatRatio(ratio)} against white; buttons, links and headings need at least ${MIN_CONTRAST}:1 to be readable (WCAG AA). `
          + `The nearest darker shade that passes is ${nearestPassingShade(hex)}.`,
      },
    }
  }
  return { ok: true, value: { accent: hex } }
}

/** The shades the pages use: the accent itself (on white, and under white text), for text on the page's grey, and for hover. */
export function accentPalette(accent: string) {
  return { accent, onPage: nearestPassingShade(accent, PAGE_BACKGROUND), hover: darken(accent, 0.2) }
}

/** The stylesheet of one accent colour: custom properties that survey.css and app.css read. */
export function accentStylesheet(accent: string): string {
  const shades = accentPalette(accent)
  return `:root{--org-accent:${shades.accent};--org-accent-text:${shades.onPage};--org-accent-hover:${shades.hover};--org-ring:${shades.accent};--org-ring-gap:#fff}\n`
}

export const accentStylesheetPath = (accent: string) => `/brand/accent/${accent.slice(1)}.css`
export const logoPath = (logo: NonNullable<Branding['logo']>) => `/brand/logo/${logo.hash}.${LOGO_EXTENSIONS[logo.type]}`

/** What a page's template needs: the stylesheet to link and the logo to show (null each when not set). */
export function brandView(branding: Branding, organizationName: string) {
  return {
    stylesheet: branding.accent ? accentStylesheetPath(branding.accent) : null,
    logo: branding.logo ? { src: logoPath(branding.logo), width: branding.logo.width, height: branding.logo.height, alt: organizationName } : null,
  }
}
export type BrandView = ReturnType<typeof brandView>
