// The survey page with JavaScript on (loaded only where the page shows problems): an answer chosen
// where a problem is shown clears that problem at once: its message, its red state, its place in the
// summary and the count in the title. Without JavaScript the problems stay until the next submit.
'use strict'
;(() => {
  const form = document.querySelector('form')
  const summary = document.querySelector('[aria-labelledby="sum"]')
  const empty = document.getElementById('form-e')
  if (!form) return
  // The organization's name is the page's heading (the title ends with it too, but a name may hold " · ").
  const heading = document.querySelector('h1.org')
  const org = heading ? heading.textContent : document.title.replace(/^.* · /, '')

  const retitle = () => {
    const left = summary && !summary.hidden ? summary.querySelectorAll('li').length : 0
    if (summary && left === 0) summary.hidden = true
    const text = left === 1 ? summary.dataset.one : left > 1 ? summary.dataset.other.replace('{n}', String(left)) : ''
    if (text) document.getElementById('sum').textContent = text
    const shown = text || (empty && !empty.hidden ? empty.textContent.trim() : '')
    document.title = shown ? `${shown} · ${org}` : org
  }

  /** Clears the problem shown in `box` (a question or a field) and its entry in the summary. */
  const clear = (box) => {
    box.classList.remove('bad')
    for (const message of box.querySelectorAll('.err')) {
      for (const element of [box, ...box.querySelectorAll('[aria-describedby]')]) {
        const rest = (element.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== message.id)
        if (rest.length > 0) element.setAttribute('aria-describedby', rest.join(' '))
        else element.removeAttribute('aria-describedby')
      }
      message.remove()
    }
    for (const element of box.querySelectorAll('[aria-invalid]')) element.removeAttribute('aria-invalid')
    if (summary) {
      for (const link of summary.querySelectorAll('a')) {
        const target = document.getElementById(decodeURIComponent(link.hash.slice(1)))
        if (target && box.contains(target)) link.parentElement.remove()
      }
    }
    retitle()
  }

  const settled = (control) => {
    if (control.type === 'radio') return control.checked
    if (control.tagName === 'TEXTAREA') return control.maxLength < 0 || control.value.length <= control.maxLength
    return control.value !== '' || control.id === 'unit'
  }

  const changed = (event) => {
    const control = event.target
    if (empty && !empty.hidden && /^a_/.test(control.name || '')) {
      empty.hidden = true
      retitle()
    }
    const box = control.closest && control.closest('.bad')
    if (box && settled(control)) clear(box)
  }
  form.addEventListener('change', changed)
  form.addEventListener('input', (event) => { if (event.target.tagName === 'TEXTAREA') changed(event) })
})()
