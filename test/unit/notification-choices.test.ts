// Account → Notifications' checks on what a form sends: a huge list of ticked units is refused with a
// clear error rather than cut short and saved as if the person had chosen fewer.
import { describe, expect, it } from 'vitest'
import { checkNotificationChoices, MAX_FOLLOWED_UNITS, notificationValues } from '../../server/domain/notification-choices.js'

const ids = (count: number) => Array.from({ length: count }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)
const form = (units: string[]) => ({ follow: 'chosen', units, alertEmail: 'on', digest: 'close', locale: 'en' })

describe('notification choices', () => {
  it('saves exactly the units ticked, up to the limit', () => {
    const readable = new Set(ids(MAX_FOLLOWED_UNITS + 10))
    const checked = checkNotificationChoices(notificationValues(form(ids(MAX_FOLLOWED_UNITS))), readable)
    expect(checked.ok && checked.value.unitIds).toEqual(ids(MAX_FOLLOWED_UNITS))
  })

  it('refuses more units than the limit, all readable, instead of saving the first ones', () => {
    const readable = new Set(ids(MAX_FOLLOWED_UNITS + 10))
    const checked = checkNotificationChoices(notificationValues(form(ids(MAX_FOLLOWED_UNITS + 1))), readable)
    expect(checked).toEqual({ ok: false, errors: { follow: `Tick at most ${MAX_FOLLOWED_UNITS} units, or choose to follow every unit.` } })
  })

  it('reads at most one unit more than the limit of a huge form, and ignores what is not text', () => {
    const values = notificationValues({ ...form([...ids(5000)]), units: [...ids(5000), { id: 'x' }, 7] })
    expect(values.units).toHaveLength(MAX_FOLLOWED_UNITS + 1)
    expect(notificationValues({ follow: 'chosen', units: [{ a: 1 }, 2, null] }).units).toEqual([])
  })
})
