// Draws the dashboard's charts from the numbers in each canvas's data-chart attribute. The same
// numbers are in a table under every chart, so nothing is lost without this script.
/* global Chart */
const STAFF = '#0072B2'
const CUSTOMER = '#E69F00'
const INK = '#1b2330'
const MUTED = '#556070'
const pct = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10)

// Every chart's text legible: 13 px (never under 12) in the page's own ink and font.
if (window.Chart) {
  Chart.defaults.font.size = 13
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
  Chart.defaults.color = INK
  Chart.defaults.plugins.tooltip.bodyFont = { size: 13 }
  Chart.defaults.plugins.tooltip.titleFont = { size: 13, weight: 'bold' }
}

// Draws each bar's or point's 95% interval as a thin (1 px) line with small end caps, on whole
// pixels so that it stays sharp.
const CAP = 3
const crisp = (v) => Math.round(v) + 0.5
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
      ctx.strokeStyle = INK
      ctx.lineWidth = 1
      meta.data.forEach((element, i) => {
        const ci = dataset.ci[i]
        if (!ci) return
        const a = crisp(scale.getPixelForValue(ci[0]))
        const b = crisp(scale.getPixelForValue(ci[1]))
        ctx.beginPath()
        if (horizontal) {
          const y = crisp(element.y)
          ctx.moveTo(a, y); ctx.lineTo(b, y)
          ctx.moveTo(a, y - CAP); ctx.lineTo(a, y + CAP)
          ctx.moveTo(b, y - CAP); ctx.lineTo(b, y + CAP)
        } else {
          const x = crisp(element.x)
          ctx.moveTo(x, a); ctx.lineTo(x, b)
          ctx.moveTo(x - CAP, a); ctx.lineTo(x + CAP, a)
          ctx.moveTo(x - CAP, b); ctx.lineTo(x + CAP, b)
        }
        ctx.stroke()
      })
      ctx.restore()
    })
  },
}

// Each pair's gap printed at its end ("+72 pts", as the table prints it), past the longer bar and
// its interval; "hidden" where a side's figures are not shown.
const GAP_ROOM = 68
const gapMarks = (spec) => ({
  id: 'gapMarks',
  afterDatasetsDraw(chart) {
    const { ctx, scales: { x } } = chart
    const bars = [chart.getDatasetMeta(0), chart.getDatasetMeta(1)]
    ctx.save()
    ctx.textBaseline = 'middle'
    ctx.textAlign = 'left'
    spec.labels.forEach((_, i) => {
      const shown = bars.map((meta, side) => ({ bar: meta.hidden ? null : meta.data[i], row: [spec.staff, spec.customer][side][i] }))
        .filter(({ bar, row }) => bar && row)
      const y = (bars[0].data[i].y + bars[1].data[i].y) / 2
      const end = Math.max(x.getPixelForValue(0), ...shown.map(({ bar, row }) => Math.max(bar.x, x.getPixelForValue(pct(row[2])))))
      const text = spec.gaps[i] ?? 'hidden'
      ctx.font = spec.gaps[i] ? `700 13px ${Chart.defaults.font.family}` : `italic 12px ${Chart.defaults.font.family}`
      ctx.fillStyle = spec.gaps[i] ? INK : MUTED
      ctx.fillText(text, end + 6, y)
    })
    ctx.restore()
  },
})

/** A long label over two or more lines where the chart is narrow, so the bars keep their room. */
function wrapLabel(label, width) {
  if (width >= 560 || label.length <= 14) return label
  const lines = []
  for (const word of label.split(' ')) {
    const last = lines[lines.length - 1]
    if (last && (last + ' ' + word).length <= 14) lines[lines.length - 1] = `${last} ${word}`
    else lines.push(word)
  }
  return lines
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
  if (spec.kind === 'pairs') return drawPairs(canvas, spec, common)
  if (spec.kind === 'spread') return drawSpread(canvas, spec, common)
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
  // Limits on whole steps, so that zero is always one of the ticks (and its line drawn).
  const low = Math.min(0, ...limits) - 2
  const high = Math.max(0, ...limits) + 2
  const step = high - low > 60 ? 20 : 10
  const min = Math.max(-100, Math.floor(low / step) * step)
  const max = Math.min(100, Math.ceil(high / step) * step)
  const font = { size: 12 }
  // Where the item's scale changed the line starts again: each run between two breaks is its own
  // three datasets (upper, interval, gap), blank outside the run, so nothing joins two measures.
  const starts = [0, ...(spec.breaks || []).filter((i) => i > 0)]
  const runs = starts.map((start, r) => [start, starts[r + 1] ?? spec.gap.length])
  const line = (key, [from, to]) => spec.gap.map((g, i) => (g && i >= from && i < to ? g[key] : null))
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: spec.labels,
      datasets: runs.flatMap((run) => [
        { label: 'upper', data: line(2, run), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, fill: false, spanGaps: false },
        { label: '95% interval', data: line(1, run), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, fill: '-1', backgroundColor: 'rgba(0, 114, 178, 0.16)', borderColor: 'rgba(0, 114, 178, 0.16)', spanGaps: false },
        { label: `Gap on ${spec.item} (staff \u2212 customers)`, data: line(0, run), borderColor: INK, backgroundColor: INK, borderWidth: 1.5, pointRadius: 4, pointHoverRadius: 6, tension: 0, fill: false, spanGaps: false },
      ]),
    },
    options: {
      ...common,
      plugins: {
        legend: { position: 'top', labels: { font, filter: (item) => item.datasetIndex === 1 || item.datasetIndex === 2 } },
        tooltip: {
          filter: (item) => item.datasetIndex % 3 === 2,
          callbacks: { label: (c) => `Gap: ${spec.text[c.dataIndex]} (95% interval ${spec.range[c.dataIndex]})` },
        },
      },
      scales: {
        x: { ticks: { font } },
        y: {
          min, max,
          title: { display: true, text: 'Gap in points (staff \u2212 customers)', font },
          ticks: { font, stepSize: step, callback: (v) => signedPoints(v) },
          grid: { color: (c) => (c.tick && c.tick.value === 0 ? INK : 'rgba(0, 0, 0, 0.08)'), lineWidth: (c) => (c.tick && c.tick.value === 0 ? 1.5 : 1) },
        },
      },
    },
  })
}

// Staff and customers side by side per row, each bar with its interval, the gap at the pair's end;
// the numbers in the tooltips as the table prints them.
function drawPairs(canvas, spec, common) {
  const sides = ['staff', 'customer']
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: spec.labels, datasets: [dataset('Staff', STAFF, spec.staff), dataset('Customers', CUSTOMER, spec.customer)] },
    options: {
      ...common,
      indexAxis: 'y',
      layout: { padding: { right: GAP_ROOM } },
      plugins: {
        ...common.plugins,
        legend: { position: 'top', labels: { boxWidth: 14, boxHeight: 14 } },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${spec.tips[sides[c.datasetIndex]][c.dataIndex] ?? 'hidden'}` } },
      },
      scales: {
        // Every 20% where there is room, every 50% on a phone: the labels stay level and apart.
        x: { min: 0, max: 100, ticks: { stepSize: canvas.parentElement.clientWidth < 480 ? 50 : 20, maxRotation: 0, callback: (v) => `${v}%` }, grid: { color: '#e3e7ec' } },
        y: { grid: { display: false }, ticks: { autoSkip: false, callback(value) { return wrapLabel(this.getLabelForValue(value), this.chart.width) } } },
      },
    },
    plugins: [intervals, gapMarks(spec)],
  })
}

// One item's answers per point of its scale (5 bars for 1–5, 11 for 0–10), each side as a share of
// its answers; a hidden side draws no bars. The points that count as agreeing get a label of their own.
function drawSpread(canvas, spec, common) {
  const sides = [['Staff', STAFF, spec.staff], ['Customers', CUSTOMER, spec.customer]].filter(([, , values]) => values)
  const top = Math.max(10, ...sides.flatMap(([, , values]) => values.map(pct)))
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: spec.labels.map((label, i) => (i === spec.agreeFrom ? [label, 'agree \u2192'] : label)),
      datasets: sides.map(([label, colour, values]) => ({ label, data: values.map(pct), backgroundColor: colour, borderColor: colour })),
    },
    options: {
      ...common,
      plugins: { ...common.plugins, tooltip: { callbacks: { title: (items) => `${spec.item}: ${spec.labels[items[0].dataIndex]}`, label: (c) => `${c.dataset.label}: ${c.raw}% of their answers` } } },
      scales: {
        x: { grid: { display: false }, ticks: { autoSkip: false, maxRotation: 0 } },
        y: { min: 0, max: Math.min(100, Math.ceil((top + 1) / 10) * 10), ticks: { callback: (v) => `${v}%` } },
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

// On paper a closed <details> prints only its summary: open the statistics (analytics and others) for the board
// pack, and close again those the reader had left closed.
let openedForPrint = []
window.addEventListener('beforeprint', () => {
  openedForPrint = [...document.querySelectorAll('main details:not([open]):not(.spread)')]
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
