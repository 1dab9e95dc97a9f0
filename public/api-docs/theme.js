// The API reference page (/api/docs): the site's header above Swagger UI, and a main landmark around
// it. Runs before Swagger UI starts, which waits for the window's load event. As Swagger UI draws,
// its list of servers gets the accessible name it lacks, and each scrolling code box (examples,
// answers) a place in the tab order, so a keyboard can scroll it.
(function () {
  const ui = document.getElementById('swagger-ui')
  if (!ui) return
  const link = (href, text, className) => {
    const a = document.createElement('a')
    a.href = href
    a.textContent = text
    if (className) a.className = className
    return a
  }
  const header = document.createElement('header')
  header.className = 'sg-top'
  const inner = document.createElement('div')
  inner.className = 'sg-top-inner'
  const brand = link('/', 'Service Gap', 'sg-brand')
  const mark = document.createElement('span')
  mark.className = 'sg-brand-mark'
  mark.setAttribute('aria-hidden', 'true')
  brand.prepend(mark)
  const nav = document.createElement('nav')
  nav.setAttribute('aria-label', 'API')
  const list = document.createElement('ul')
  for (const [href, text] of [['/account/tokens', 'API tokens'], ['/api/docs/json', 'OpenAPI document (JSON)']]) {
    const item = document.createElement('li')
    item.append(link(href, text))
    list.append(item)
  }
  nav.append(list)
  inner.append(brand, nav)
  header.append(inner)
  const main = document.createElement('main')
  main.id = 'main'
  ui.replaceWith(main)
  main.append(ui)
  document.body.prepend(header)
  const mend = () => {
    const select = document.getElementById('servers')
    if (select && !select.hasAttribute('aria-label')) select.setAttribute('aria-label', 'Server')
    for (const code of ui.querySelectorAll('.highlight-code > .microlight:not([tabindex])')) code.setAttribute('tabindex', '0')
  }
  new MutationObserver(mend).observe(ui, { childList: true, subtree: true })
})()
