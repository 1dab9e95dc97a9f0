// The digest's words in each language for the cases the seeded waves of test/routes/digest.test.ts do
// not reach: a hidden side, a gap that crossed zero, a plan on a dimension with a verdict, more plans
// than are listed, and the pack attached or not (only what the worker really attached counts).
import { describe, expect, it } from 'vitest'
import { LOCALES } from '../../server/domain/instrument.js'
import { renderDigestMail } from '../../server/i18n/digest-mail.js'
import type { DigestParams } from '../../server/presenters/digest.js'

const params: DigestParams = {
  version: 1, waveId: 'w1', wave: '2026-Q4', run: 'close', path: '/waves/w1', packQuery: '', scope: { kind: 'all_units_followed_several' },
  releasedAt: '2026-12-01T10:00:00.000Z',
  headline: { item: 'I receive excellent service.', staff: null, predicted: null, customer: '14%', gap: null, gapRange: null, verdict: null, chance: null },
  change: { shape: 'crossed', by: null, before: '+4', now: '−3', since: '2026-Q3', range: ['−12', '+2'], chance: 'could_be', significant: false },
  fixFirst: { items: [], wholeWave: false, missing: 'suppressed' },
  where: { yours: false, widest: [], improved: null, comparable: false },
  plans: [{ unit: 'North', item: null, dimension: 'listening', change: 'Weekly huddles', owner: 'Nora', status: 'in_progress', since: '2026-Q3', verdict: 'worked' }],
  morePlans: 2,
}
const text = (locale: string, attachments: string[] = []) => renderDigestMail({ ...params }, { locale, publicUrl: 'http://sg.test', attachments })

describe('the digest mail', () => {
  it('words a hidden side, a crossed gap, a dimension plan and the pack in English', () => {
    const mail = text('en', ['2026-Q4-board-pack.pdf'])
    expect(mail.subject).toBe('Service Gap — 2026-Q4 closed: staff hidden, customers 14%')
    expect(mail.text).toContain('You follow several units; one digest cannot narrow to several, so it covers every unit you can read. Staff figures as of 1 Dec 2026.')
    expect(mail.text).toContain('“I receive excellent service.” the staff share is hidden here; staff predictions are hidden here; 14% of customers agree.')
    expect(mail.text).toContain('No gap can be given: one side is hidden here.')
    expect(mail.text).toContain('Since 2026-Q3 the gap has moved from +4 to −3 points (95% interval −12 to +2 points), could be chance.')
    expect(mail.text).toContain('• North · Listening: Weekly huddles (Nora, in progress, since 2026-Q3) — worked')
    expect(mail.text).toContain('…and 2 more on the dashboard.')
    expect(mail.text).toContain('The board pack of this view is attached as a PDF.')
    expect(mail.html).toContain('<html lang="en">')
  })

  it('says how to print the pack when another file or none was attached', () => {
    expect(text('en', ['other.pdf']).text).toContain('The board pack could not be attached.')
    expect(text('en').text).not.toContain('is attached')
  })

  it('has its own words in every language of the instruments, and falls back to English for another', () => {
    const es = text('es', ['2026-Q4-board-pack.pdf'])
    expect(es.subject).toBe('Service Gap — 2026-Q4 cerrada: personal oculto, clientes 14%')
    expect(es.text).toContain('Desde 2026-Q3 la brecha ha pasado de +4 a −3 puntos (intervalo del 95 %: de −12 a +2 puntos); podría ser casualidad.')
    expect(es.text).toContain('• North · Escucha: Weekly huddles (Nora, en curso, desde 2026-Q3) — ha funcionado')
    expect(es.text).toContain('Adjuntamos en PDF')
    const de = text('de')
    expect(de.subject).toBe('Service Gap — 2026-Q4 abgeschlossen: Mitarbeitende verborgen, Kunden 14%')
    expect(de.text).toContain('Seit 2026-Q3 ist die Lücke von +4 auf −3 Punkte gegangen')
    expect(de.text).toContain('Dashboard öffnen: http://sg.test/waves/w1')
    for (const locale of LOCALES) expect(text(locale).html).toContain(`lang="${locale}"`)
    expect(text('it').subject).toBe(text('en').subject)
  })
})
