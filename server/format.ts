// How numbers and dates look on pages: one place, so every page says it the same way.
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' })

export const date = (value: Date | null | undefined) => (value ? dateFormat.format(value) : '—')
export const dateTime = (value: Date | null | undefined) => (value ? dateTimeFormat.format(value) : '—')
/** yyyy-mm-dd, the value a date input expects. */
export const isoDate = (value: Date | null | undefined) => (value ? value.toISOString().slice(0, 10) : '')
export const count = (n: number) => n.toLocaleString('en-GB')

const SIDE_NAMES = { staff: 'Staff', customer: 'Customers' } as const
export const side = (value: 'staff' | 'customer') => SIDE_NAMES[value]

const LOCALE_NAMES: Record<string, string> = { en: 'English', es: 'Español', de: 'Deutsch' }
export const locale = (code: string) => LOCALE_NAMES[code] ?? code
