// The words of an alert (i18n/alert-mail.ts), in each respondent language: the sentence the mail and
// the report page share, the subject, the link back, and escaping of names in the HTML part.
import { describe, expect, it } from 'vitest'
import { gapDrift } from '../../server/domain/gap-drift.js'
import { alertSentence, renderAlertMail } from '../../server/i18n/alert-mail.js'

// Staff 180/300 → 243/300, customers 144/300 → 150/300: the gap +12 → +31, change +19 (MOVER +8.27 to
// +29.56, q = 0.0005 alone); see test/unit/gap-drift.test.ts for the arithmetic.
const [widened] = gapDrift([{ unitId: 'u', itemKey: 'trust', before: { staff: { agree: 180, n: 300 }, customer: { agree: 144, n: 300 } }, now: { staff: { agree: 243, n: 300 }, customer: { agree: 150, n: 300 } } }])
// Customers 80/100 → 55/100 (−25, −36.81 to −12.08) while staff 30/40 → 31/40.
const [fell] = gapDrift([{ unitId: 'u', itemKey: 'trust', before: { staff: { agree: 30, n: 40 }, customer: { agree: 80, n: 100 } }, now: { staff: { agree: 31, n: 40 }, customer: { agree: 55, n: 100 } } }]).filter((a) => a.rule === 'customers_fell')
const words = (alert: typeof widened, unit = 'Airport kiosk') => ({ rule: alert!.rule, unit, item: 'I can trust what Acme tells me.', wave: '2026-Q4', previousWave: '2026-Q3', figures: alert!.figures })

describe('alert words', () => {
  it('says in English what widened, by how much, with its interval and in plain words how sure it is', () => {
    expect(alertSentence(words(widened), 'en')).toBe("In Airport kiosk, the gap on 'I can trust what Acme tells me' widened from +12 to +31 points since 2026-Q3 (change +19, 95% interval +8 to +30; very unlikely to be chance).")
    expect(alertSentence(words(fell), 'en')).toBe("In Airport kiosk, the customers who agree that 'I can trust what Acme tells me' fell from 80% to 55% since 2026-Q3 (change −25 points, 95% interval −37 to −12), while staff's view did not clearly change (75% then, 78% now).")
  })

  it('says the same in Spanish and German, and in English for a language it does not have', () => {
    expect(alertSentence(words(widened), 'es')).toBe('En Airport kiosk, la brecha en «I can trust what Acme tells me» se amplió de +12 a +31 puntos desde 2026-Q3 (cambio +19, intervalo del 95 %: +8 a +30; muy improbable que sea casualidad).')
    expect(alertSentence(words(widened), 'de')).toBe('In Airport kiosk hat sich die Lücke bei „I can trust what Acme tells me“ seit 2026-Q3 von +12 auf +31 Punkte vergrößert (Veränderung +19, 95-%-Intervall +8 bis +30; sehr wahrscheinlich kein Zufall).')
    expect(alertSentence(words(fell), 'de')).toContain('von 80% auf 55% gesunken (Veränderung −25 Punkte, 95-%-Intervall −37 bis −12)')
    expect(alertSentence(words(widened), 'it')).toBe(alertSentence(words(widened), 'en'))
  })

  it('makes a mail with a subject, a link back to the unit on the report and the names escaped in its HTML', () => {
    const mail = renderAlertMail({ ...words(widened, 'Kiosk <b>&</b>'), path: '/waves/w1?unit=Kiosk#alerts' }, { locale: 'es', publicUrl: 'https://sg.example' })
    expect(mail.subject).toBe('Alerta de Service Gap: la brecha se amplió en Kiosk <b>&</b>')
    expect(mail.text).toContain('https://sg.example/waves/w1?unit=Kiosk#alerts')
    expect(mail.text).toContain('Detectado en las cifras publicadas de 2026-Q4')
    expect(mail.html).toContain('Kiosk &lt;b&gt;&amp;&lt;/b&gt;')
    expect(mail.html).not.toContain('<b>&</b>')
  })
})
