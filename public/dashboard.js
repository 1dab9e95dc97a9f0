// Draws the dashboard's charts from the numbers in each canvas's data-chart attribute. The same
// numbers are in a table under every chart, so nothing is lost without this script.
/* global Chart */
const STAFF = '#0072B2'
const CUSTOMER = '#E69F00'
const pct = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10)

// Draws each bar's or point's 95% interval as a thin line with end caps.
const intervals = {
  id: 'intervals',
  afterDatasetsDraw(chart) {
    const { ctx } = chart
    chart.data.datasets.forEach((dataset, di) => {
      const meta = chart.getDatasetMeta(di)
      if (!dataset.ci || meta.hidden) return
      const horizontal = chart.options.indexAxis === 'y'
      const scale = horizontal ? chart.scales.x : chart.scales.y
      ctx.save()
      ctx.strokeStyle = '#1b2330'
      ctx.lineWidth = 1.5
      meta.data.forEach((element, i) => {
        const ci = dataset.ci[i]
        if (!ci) return
        const a = scale.getPixelForValue(ci[0])
        const b = scale.getPixelForValue(ci[1])
        ctx.beginPath()
        if (horizontal) {
          ctx.moveTo(a, element.y); ctx.lineTo(b, element.y)
          ctx.moveTo(a, element.y - 4); ctx.lineTo(a, element.y + 4)
          ctx.moveTo(b, element.y - 4); ctx.lineTo(b, element.y + 4)
        } else {
          ctx.moveTo(element.x, a); ctx.lineTo(element.x, b)
          ctx.moveTo(element.x - 4, a); ctx.lineTo(element.x + 4, a)
          ctx.moveTo(element.x - 4, b); ctx.lineTo(element.x + 4, b)
        }
        ctx.stroke()
      })
      ctx.restore()
    })
  },
}

function dataset(label, colour, rows, extra) {
  return {
    label,
    data: rows.map((r) => (r ? pct(r[0]) : null)),
    ci: rows.map((r) => (r ? [pct(r[1]), pct(r[2])] : null)),
    backgroundColor: colour,
    borderColor: colour,
    ...extra,
  }
}

function draw(canvas) {
  const spec = JSON.parse(canvas.dataset.chart)
  const percentAxis = { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } }
  const common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: 'top' }, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.raw}%` } } },
  }
  if (spec.kind === 'weights') return drawWeights(canvas, spec, common)
  if (spec.kind === 'scatter') return drawScatter(canvas, spec, common)
  if (spec.kind === 'gap') return drawGap(canvas, spec, common)
  if (spec.kind === 'pairs') {
    return new Chart(canvas, {
      type: 'bar',
      data: { labels: spec.labels, datasets: [dataset('Staff', STAFF, spec.staff), dataset('Customers', CUSTOMER, spec.customer)] },
      options: { ...common, indexAxis: 'y', scales: { x: percentAxis } },
      plugins: [intervals],
    })
  }
  return new Chart(canvas, {
    type: 'line',
    data: { labels: spec.labels, datasets: [dataset('Staff', STAFF, spec.staff, { tension: 0 }), dataset('Customers', CUSTOMER, spec.customer, { tension: 0 })] },
    options: { ...common, scales: { y: percentAxis } },
    plugins: [intervals],
  })
}

// Points as the tables print them (server/format.ts points): a sign, a true minus, "pts".
const signedPoints = (v) => `${v > 0.05 ? '+' : v < -0.05 ? '\u2212' : '\u00b1'}${Math.abs(v).toFixed(0)} pts`

// The gap itself across waves: a thin line with points, its 95% interval as a light band (filled
// between the upper and the lower limit), and a darker line at zero, where staff and customers agree.
function drawGap(canvas, spec, common) {
  const INK = '#1b2330'
  const limits = spec.gap.flatMap((g) => (g ? [g[1], g[2]] : []))
  const min = Math.max(-100, Math.floor((Math.min(0, ...limits) - 2) / 10) * 10)
  const max = Math.min(100, Math.ceil((Math.max(0, ...limits) + 2) / 10) * 10)
  const font = { size: 12 }
  const line = (key) => spec.gap.map((g) => (g ? g[key] : null))
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: spec.labels,
      datasets: [
        { label: 'upper', data: line(2), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, fill: false, spanGaps: false },
        { label: '95% interval', data: line(1), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, fill: '-1', backgroundColor: 'rgba(0, 114, 178, 0.16)', borderColor: 'rgba(0, 114, 178, 0.16)', spanGaps: false },
        { label: `Gap on ${spec.item} (staff \u2212 customers)`, data: line(0), borderColor: INK, backgroundColor: INK, borderWidth: 1.5, pointRadius: 4, pointHoverRadius: 6, tension: 0, fill: false, spanGaps: false },
      ],
    },
    options: {
      ...common,
      plugins: {
        legend: { position: 'top', labels: { font, filter: (item) => item.datasetIndex > 0 } },
        tooltip: {
          filter: (item) => item.datasetIndex === 2,
          callbacks: { label: (c) => `Gap: ${spec.text[c.dataIndex]} (95% interval ${spec.range[c.dataIndex]})` },
        },
      },
      scales: {
        x: { ticks: { font } },
        y: {
          min, max,
          title: { display: true, text: 'Gap in points (staff \u2212 customers)', font },
          ticks: { font, stepSize: max - min > 60 ? 20 : 10, callback: (v) => signedPoints(v) },
          grid: { color: (c) => (c.tick && c.tick.value === 0 ? INK : 'rgba(0, 0, 0, 0.08)'), lineWidth: (c) => (c.tick && c.tick.value === 0 ? 1.5 : 1) },
        },
      },
    },
  })
}

// Each driver's weight (share of what the model explains) as a horizontal bar with its interval.
function drawWeights(canvas, spec, common) {
  const top = Math.max(...spec.weights.map((w) => w[2]))
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: spec.labels, datasets: [dataset('Weight in the verdict', CUSTOMER, spec.weights)] },
    options: { ...common, indexAxis: 'y', plugins: { ...common.plugins, legend: { display: false } }, scales: { x: { min: 0, max: Math.min(100, Math.ceil(pct(top) / 10) * 10), ticks: { callback: (v) => `${v}%` } } } },
    plugins: [intervals],
  })
}

// Lines at the cuts, the quadrants' names in their corners and each point's name beside it.
const scatterMarks = (spec) => ({
  id: 'scatterMarks',
  afterDatasetsDraw(chart) {
    const { ctx, chartArea: area, scales: { x, y } } = chart
    ctx.save()
    if (spec.cuts) {
      const cx = x.getPixelForValue(pct(spec.cuts.x))
      const cy = y.getPixelForValue(pct(spec.cuts.y))
      ctx.strokeStyle = '#8a94a3'
      ctx.setLineDash([5, 4])
      ctx.beginPath()
      ctx.moveTo(cx, area.top); ctx.lineTo(cx, area.bottom)
      ctx.moveTo(area.left, cy); ctx.lineTo(area.right, cy)
      ctx.stroke()
      ctx.setLineDash([])
    }
    ctx.font = '600 12px system-ui, sans-serif'
    ctx.fillStyle = '#556070'
    // Names drawn so far, so that a name that would overlap one is left out (the table has every point).
    const taken = []
    const free = (box) => taken.every((t) => box.x + box.w < t.x || t.x + t.w < box.x || box.y + box.h < t.y || t.y + t.h < box.y)
    const place = (text, x, y, align, baseline) => {
      const w = ctx.measureText(text).width
      const box = { x: align === 'right' ? x - w : x, y: baseline === 'top' ? y : baseline === 'bottom' ? y - 14 : y - 7, w, h: 14 }
      if (!free(box)) return
      taken.push(box)
      ctx.textAlign = align
      ctx.textBaseline = baseline
      ctx.fillText(text, x, y)
    }
    const points = chart.getDatasetMeta(0).data
    // Each point's own spot first, so that no name covers a point.
    points.forEach((point) => taken.push({ x: point.x - 5, y: point.y - 5, w: 10, h: 10 }))
    if (spec.quadrants) {
      const [tl, tr, bl, br] = spec.quadrants
      place(tl, area.left + 6, area.top + 6, 'left', 'top')
      place(tr, area.right - 6, area.top + 6, 'right', 'top')
      place(bl, area.left + 6, area.bottom - 6, 'left', 'bottom')
      place(br, area.right - 6, area.bottom - 6, 'right', 'bottom')
    }
    ctx.font = '12px system-ui, sans-serif'
    ctx.fillStyle = '#1b2330'
    points.forEach((point, i) => {
      const label = spec.points[i].label
      // Near the right edge the name goes to the left of its point, so it stays inside the chart.
      const right = point.x + 8 + ctx.measureText(label).width < area.right
      place(label, point.x + (right ? 8 : -8), point.y, right ? 'left' : 'right', 'middle')
    })
    ctx.restore()
  },
})

function drawScatter(canvas, spec, common) {
  const axis = (title, values) => ({
    min: Math.max(0, Math.floor((Math.min(...values) - 5) / 10) * 10),
    max: Math.min(100, Math.ceil((Math.max(...values) + 5) / 10) * 10),
    title: { display: true, text: title },
    ticks: { stepSize: 10, callback: (v) => `${v}%` },
  })
  const xs = spec.points.map((p) => pct(p.x)).concat(spec.cuts ? [pct(spec.cuts.x)] : [])
  const ys = spec.points.map((p) => pct(p.y)).concat(spec.cuts ? [pct(spec.cuts.y)] : [])
  return new Chart(canvas, {
    type: 'scatter',
    data: { datasets: [{ label: spec.axes.y, data: spec.points.map((p) => ({ x: pct(p.x), y: pct(p.y) })), backgroundColor: STAFF, borderColor: STAFF, pointRadius: 5, pointHoverRadius: 7 }] },
    options: {
      ...common,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${spec.points[c.dataIndex].label}: ${c.raw.x}% · ${c.raw.y}%` } } },
      scales: { x: axis(spec.axes.x, xs), y: axis(spec.axes.y, ys) },
    },
    plugins: [scatterMarks(spec)],
  })
}

const charts = window.Chart ? [...document.querySelectorAll('canvas[data-chart]')].map(draw) : []

// Printing lays the page out again at the paper's width: redraw the charts to fit it, and again after.
const resizeAll = () => charts.forEach((chart) => chart.resize())
window.addEventListener('beforeprint', resizeAll)
window.addEventListener('afterprint', resizeAll)
if (window.matchMedia) window.matchMedia('print').addEventListener('change', resizeAll)

// On paper a closed <details> prints only its summary: open the analytics' statistics for the board
// pack, and close again those the reader had left closed.
let openedForPrint = []
window.addEventListener('beforeprint', () => {
  openedForPrint = [...document.querySelectorAll('.analytics details:not([open])')]
  openedForPrint.forEach((details) => { details.open = true })
})
window.addEventListener('afterprint', () => {
  openedForPrint.forEach((details) => { details.open = false })
  openedForPrint = []
})

// The filter form sends every select, also those left at "All" (an empty value), which the server
// refuses as a filter without a value. Leave them out so the address holds only the filters chosen
// (short and shareable); re-enable them when the browser brings the page back from its cache.
const filters = document.querySelector('form.filters')
if (filters) {
  filters.addEventListener('submit', () => {
    filters.querySelectorAll('select').forEach((select) => { if (select.value === '') select.disabled = true })
  })
  window.addEventListener('pageshow', () => filters.querySelectorAll('select').forEach((select) => { select.disabled = false }))
}
