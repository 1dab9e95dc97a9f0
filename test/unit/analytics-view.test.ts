// The analytics partial rendered the way the app renders it (eta, autoescape), from hand-made
// analyses: each block with its heading, scope and figures, markup in a unit name escaped, the charts'
// data in data-chart attributes, and each missing analysis replaced by its reason.
import { Eta } from 'eta'
import { describe, expect, it } from 'vitest'
import { VIEWS_DIR } from '../../server/paths.js'
import { presentAnalytics } from '../../server/presenters/analytics.js'
import { analytics, noAnalytics } from '../helpers/analytics.js'

const eta = new Eta({ views: VIEWS_DIR, cache: false, autoEscape: true, autoTrim: false })
const render = (value: ReturnType<typeof analytics>) => eta.render('/partials/analytics', { analytics: presentAnalytics(value) })
const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
const text = (html: string) => decode(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim()
const section = (html: string, id: string) => {
  const start = html.indexOf(`aria-labelledby="${id}"`)
  expect(start, id).toBeGreaterThan(-1)
  return html.slice(html.indexOf('>', start) + 1, html.indexOf('</section>', start))
}

describe('the analytics partial', () => {
  const html = render(analytics())

  it('renders the four blocks, each with its heading and the group it answers', () => {
    expect(text(section(html, 'fix-first-title'))).toMatch(/^Fix first The whole wave Customers' overall verdict depends most on Easy .* Gap \+41 pts \(95%: \+30 to \+52\) · weight 24% \(95%: 18–30%\) Next comes Promises/)
    expect(text(section(html, 'drivers-title'))).toContain("What drives customers' verdict The whole wave These items explain 46%")
    expect(text(section(html, 'prediction-title'))).toContain('Do staff know their customers? For customers with tier gold Staff expect 62% of customers to agree; 14% do')
    expect(text(section(html, 'linkage-title'))).toContain('Does staff climate move customers? The whole wave (linkage compares units, so the filters do not apply)')
  })

  it('has three charts, their data in escaped data-chart attributes, and tables with headers', () => {
    const charts = [...html.matchAll(/data-chart="([^"]*)"/g)].map((m) => JSON.parse(decode(m[1]!)))
    expect(charts.map((c) => c.kind)).toEqual(['weights', 'scatter', 'scatter'])
    expect(html).not.toContain('South <b>')
    expect(html).toContain('South &lt;b&gt;')
    expect(html.match(/<th scope="col">/g)!.length).toBeGreaterThanOrEqual(20)
    expect(html.match(/<figcaption>/g)).toHaveLength(3)
  })

  it('puts the statistics one click away, in details under the words', () => {
    expect(html.match(/<details>/g)).toHaveLength(4)
    expect(text(section(html, 'drivers-title'))).toContain('Weights and method 400 customers (at least 110 needed)')
  })

  it('shows each missing analysis\'s reason in its place', () => {
    const missing = render(noAnalytics())
    const reasons = noAnalytics().unavailable
    expect(text(section(missing, 'fix-first-title'))).toBe(`Fix first ${reasons.fixFirst!.message}`)
    expect(text(section(missing, 'drivers-title'))).toBe(`What drives customers' verdict ${decode(reasons.drivers!.message)} Importance and performance ${reasons.fixFirst!.message}`)
    expect(text(section(missing, 'prediction-title'))).toBe(`Do staff know their customers? ${reasons.prediction!.message}`)
    expect(text(section(missing, 'linkage-title'))).toBe(`Does staff climate move customers? ${reasons.linkage!.message}`)
    expect(missing).not.toContain('data-chart')
  })
})
