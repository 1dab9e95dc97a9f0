// Settings → Branding: keeps the colour picker and the #rrggbb text field showing the same colour as
// either is changed. Without JavaScript the form still works: the server takes whichever one changed.
(() => {
  const text = document.getElementById('accent')
  const picker = document.getElementById('accentPicker')
  if (!(text instanceof HTMLInputElement) || !(picker instanceof HTMLInputElement)) return
  picker.addEventListener('input', () => { text.value = picker.value })
  text.addEventListener('input', () => {
    const value = text.value.trim()
    const hex = value.startsWith('#') ? value : `#${value}`
    if (/^#[0-9a-f]{6}$/i.test(hex)) picker.value = hex.toLowerCase()
  })
})()
