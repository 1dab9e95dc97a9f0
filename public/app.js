// Small progressive enhancements; every page works without this file.
function copyText(input) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(input.value).then(() => true, () => false)
  // Plain http on another host has no clipboard API: select the text and use the older copy command.
  input.focus()
  input.select()
  return Promise.resolve(document.execCommand && document.execCommand('copy'))
}
document.querySelectorAll('[data-copy]').forEach((button) => {
  const input = document.getElementById(button.dataset.copy)
  if (!input) return
  button.hidden = false
  button.addEventListener('click', async () => {
    const copied = await copyText(input)
    button.textContent = copied ? 'Copied' : 'Press Ctrl+C'
    setTimeout(() => { button.textContent = 'Copy' }, 2500)
  })
})
document.querySelectorAll('input.link-url').forEach((input) => input.addEventListener('focus', () => input.select()))
document.querySelectorAll('button.print').forEach((button) => {
  button.hidden = false
  button.addEventListener('click', () => window.print())
})
const summary = document.querySelector('.error-summary')
if (summary) summary.focus()
// Delivery counts on a wave page stay current while messages go out.
const delivery = document.querySelector('[data-delivery]')
if (delivery && window.fetch) {
  const refresh = async () => {
    try {
      const response = await fetch(delivery.dataset.delivery, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      if (!response.ok) return
      const { counts } = await response.json()
      for (const [key, value] of Object.entries(counts)) {
        const cell = delivery.querySelector(`[data-count="${key}"]`)
        if (cell) cell.textContent = Number(value).toLocaleString('en-GB')
      }
    } catch { /* offline for a moment: try again next time */ }
  }
  setInterval(refresh, 5000)
}
