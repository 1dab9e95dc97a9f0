// Choosing the respondent's language: an explicit choice first, then the browser's Accept-Language,
// then the organization's default, always among the languages the wave offers.

/** Parses Accept-Language into base language codes, best first (q=0 entries are dropped). */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return []
  return header.split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      const quality = q ? Number(q.slice(2)) : 1
      return { code: tag.trim().toLowerCase().split('-')[0] ?? '', quality: Number.isFinite(quality) ? quality : 0, index }
    })
    .filter((entry) => entry.code !== '' && entry.code !== '*' && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index)
    .map((entry) => entry.code)
}

export function chooseLocale(options: { requested?: unknown; acceptLanguage?: string; fallback: string; available: readonly string[] }): string {
  const { available } = options
  if (typeof options.requested === 'string' && available.includes(options.requested)) return options.requested
  const accepted = acceptedLanguages(options.acceptLanguage).find((code) => available.includes(code))
  if (accepted) return accepted
  return available.includes(options.fallback) ? options.fallback : available[0] ?? 'en'
}
