// Small progressive enhancements; every page works without this file.
document.querySelectorAll('[data-copy]').forEach((button) => {
  const input = document.getElementById(button.dataset.copy)
  if (!input || !navigator.clipboard) return
  button.hidden = false
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText(input.value)
    button.textContent = 'Copied'
    setTimeout(() => { button.textContent = 'Copy' }, 2000)
  })
})
document.querySelectorAll('input.link-url').forEach((input) => input.addEventListener('focus', () => input.select()))
document.querySelectorAll('button.print').forEach((button) => {
  button.hidden = false
  button.addEventListener('click', () => window.print())
})
const summary = document.querySelector('.error-summary')
if (summary) summary.focus()
