import { describe, expect, it } from 'vitest'
import { checkInvitation } from '../../server/domain/colleagues.js'
import {
  checkNewPassword, checkNewWave, checkPasswordChange, checkPersonName, checkSettings, checkSetup, checkTokenName, checkUnitName,
  emailField, isEmail, type Checked, type FieldErrors,
} from '../../server/domain/inputs.js'

const PASSWORD = 'correct horse battery'

/** The value of a successful check; fails the test with the errors otherwise. */
function valueOf<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new Error(`expected no errors, got ${JSON.stringify(checked.errors)}`)
  return checked.value
}

/** The field errors of a failed check; fails the test when the check passed. */
function errorsOf<T>(checked: Checked<T>): FieldErrors {
  if (checked.ok) throw new Error(`expected errors, got value ${JSON.stringify(checked.value)}`)
  return checked.errors
}

const fields = <T>(checked: Checked<T>) => Object.keys(errorsOf(checked)).sort()

describe('checkSetup', () => {
  const good = { organization: '  Acme Ltd ', name: ' Ada ', email: ' Ada@Example.COM ', password: PASSWORD, confirm: PASSWORD }

  it('returns the trimmed organization, name and lower-cased email of a correct form', () => {
    expect(valueOf(checkSetup(good))).toEqual({ organization: 'Acme Ltd', name: 'Ada', email: 'ada@example.com', password: PASSWORD })
  })

  it('names every missing field of an empty form', () => {
    expect(fields(checkSetup({}))).toEqual(['email', 'organization', 'password'])
  })

  it('reports a confirmation that does not match on the confirm field only', () => {
    expect(fields(checkSetup({ ...good, confirm: `${PASSWORD}!` }))).toEqual(['confirm'])
  })

  it('reports a password shorter than 12 characters on the password field, not on confirm', () => {
    const errors = errorsOf(checkSetup({ ...good, password: 'elevenchars', confirm: 'elevenchars' }))
    expect(Object.keys(errors)).toEqual(['password'])
    expect(errors.password).toBe('Use at least 12 characters.')
  })

  it('accepts a password of exactly 12 characters and refuses one over 200', () => {
    expect(checkSetup({ ...good, password: 'tulip lantern', confirm: 'tulip lantern' }).ok).toBe(true)
    const long = 'x'.repeat(201)
    expect(fields(checkSetup({ ...good, password: long, confirm: long }))).toEqual(['password'])
  })

  it('refuses an email address without a domain and an organization name over 100 characters', () => {
    expect(fields(checkSetup({ ...good, email: 'ada@example' }))).toEqual(['email'])
    expect(fields(checkSetup({ ...good, organization: 'x'.repeat(101) }))).toEqual(['organization'])
    expect(checkSetup({ ...good, organization: 'x'.repeat(100) }).ok).toBe(true)
  })

  it('cuts the optional person name to 100 characters instead of refusing it', () => {
    expect(valueOf(checkSetup({ ...good, name: 'n'.repeat(150) })).name).toBe('n'.repeat(100))
  })
})

describe('checkSettings', () => {
  const good = { name: 'Acme', minGroupSize: '5', defaultLocale: 'es' }

  it('returns the values in database column names', () => {
    expect(valueOf(checkSettings(good))).toEqual({ name: 'Acme', minGroupSize: 5, defaultLocale: 'es' })
  })

  it('accepts the bounds 3 and 50, as text or as numbers', () => {
    expect(valueOf(checkSettings({ ...good, minGroupSize: '3' })).minGroupSize).toBe(3)
    expect(valueOf(checkSettings({ ...good, minGroupSize: 50 })).minGroupSize).toBe(50)
    expect(valueOf(checkSettings({ ...good, minGroupSize: ' 7 ' })).minGroupSize).toBe(7)
  })

  for (const size of ['2', '51', 2, 51, '0', '-3', '3.5', 3.5, '1e1', 'five', '', null, undefined]) {
    it(`refuses the minimum group size ${JSON.stringify(size)} on minGroupSize`, () => {
      const errors = errorsOf(checkSettings({ ...good, minGroupSize: size }))
      expect(Object.keys(errors)).toEqual(['minGroupSize'])
      expect(errors.minGroupSize).toBe('Enter a whole number from 3 to 50.')
    })
  }

  it('accepts each supported locale and refuses any other', () => {
    for (const locale of ['en', 'es', 'de']) expect(valueOf(checkSettings({ ...good, defaultLocale: locale })).defaultLocale).toBe(locale)
    expect(fields(checkSettings({ ...good, defaultLocale: 'it' }))).toEqual(['defaultLocale'])
    expect(fields(checkSettings({ ...good, defaultLocale: 'EN' }))).toEqual(['defaultLocale'])
    expect(fields(checkSettings({ ...good, defaultLocale: undefined }))).toEqual(['defaultLocale'])
  })

  it('reports every bad field at once', () => {
    expect(fields(checkSettings({ name: ' ', minGroupSize: '1', defaultLocale: 'xx' }))).toEqual(['defaultLocale', 'minGroupSize', 'name'])
  })
})

describe('checkUnitName and checkTokenName', () => {
  it('trim the name', () => {
    expect(valueOf(checkUnitName('  Front desk  '))).toBe('Front desk')
    expect(valueOf(checkTokenName(' CI import '))).toBe('CI import')
  })

  it('refuse empty, blank, non-text and over-long names on the name field', () => {
    for (const bad of ['', '   ', 42, null, undefined, 'u'.repeat(101)]) {
      expect(fields(checkUnitName(bad))).toEqual(['name'])
      expect(fields(checkTokenName(bad))).toEqual(['name'])
    }
    expect(valueOf(checkUnitName('u'.repeat(100)))).toHaveLength(100)
  })
})

describe('checkNewWave', () => {
  const now = new Date('2026-05-10T12:00:00.000Z')
  const context = {
    now,
    templateKeys: ['service-gap-index', 'english-only'],
    templateLocales: (key: string) => (key === 'english-only' ? ['en'] : ['en', 'es', 'de']),
  }
  const check = (input: Record<string, unknown>) => checkNewWave({ name: '2026-Q2', templateKey: 'service-gap-index', ...input }, context)

  describe('status and opening', () => {
    it('opens the wave immediately by default, with opensAt = now and every template locale', () => {
      const wave = valueOf(check({ name: '  2026-Q2 ' }))
      expect(wave).toEqual({
        name: '2026-Q2', templateKey: 'service-gap-index', status: 'open', opensAt: now, closesAt: null, locales: ['en', 'es', 'de'], predictions: 'off',
        repeatEvery: null, weeklyDigest: false,
      })
      expect(wave.opensAt!.getTime()).toBe(now.getTime())
    })

    it('treats an empty status like no status', () => {
      expect(valueOf(check({ status: '' })).status).toBe('open')
    })

    it('opens the wave when status "open" is asked for without a date', () => {
      const wave = valueOf(check({ status: 'open' }))
      expect(wave.status).toBe('open')
      expect(wave.opensAt).toEqual(now)
    })

    it('keeps a draft as a draft without an opening date', () => {
      const wave = valueOf(check({ status: 'draft' }))
      expect(wave.status).toBe('draft')
      expect(wave.opensAt).toBeNull()
    })

    it('saves a wave whose opening date lies ahead as a scheduled draft', () => {
      const wave = valueOf(check({ opensAt: '2026-06-01' }))
      expect(wave.status).toBe('draft')
      expect(wave.opensAt).toEqual(new Date('2026-06-01T00:00:00.000Z'))
    })

    it('keeps a future opening date on an explicit draft', () => {
      const wave = valueOf(check({ status: 'draft', opensAt: '2026-06-01T09:30:00Z' }))
      expect(wave.status).toBe('draft')
      expect(wave.opensAt).toEqual(new Date('2026-06-01T09:30:00.000Z'))
    })

    it('opens a wave whose opening date has passed and keeps that date', () => {
      const wave = valueOf(check({ opensAt: '2026-05-01' }))
      expect(wave.status).toBe('open')
      expect(wave.opensAt).toEqual(new Date('2026-05-01T00:00:00.000Z'))
    })

    it('opens a wave whose opening moment is exactly now', () => {
      expect(valueOf(check({ opensAt: now.toISOString() })).status).toBe('open')
    })

    it('refuses status "open" with an opening date ahead, on the status field', () => {
      const errors = errorsOf(check({ status: 'open', opensAt: '2026-06-01' }))
      expect(Object.keys(errors)).toEqual(['status'])
      expect(errors.status).toContain('save it as a draft or clear the date')
    })

    it('refuses a status other than open or draft', () => {
      for (const status of ['closed', 'OPEN', 1, true]) {
        expect(fields(check({ status }))).toEqual(['status'])
      }
    })
  })

  describe('closing date', () => {
    it('takes a bare closing date as the end of that day in UTC', () => {
      expect(valueOf(check({ closesAt: '2026-06-30' })).closesAt).toEqual(new Date('2026-07-01T00:00:00.000Z'))
    })

    it('accepts today as a bare closing date, because the wave runs until the end of the day', () => {
      expect(valueOf(check({ closesAt: '2026-05-10' })).closesAt).toEqual(new Date('2026-05-11T00:00:00.000Z'))
    })

    it('keeps a closing date-time as given', () => {
      expect(valueOf(check({ closesAt: '2026-06-30T15:45:00Z' })).closesAt).toEqual(new Date('2026-06-30T15:45:00.000Z'))
      expect(valueOf(check({ closesAt: '2026-06-30T15:45:00+02:00' })).closesAt).toEqual(new Date('2026-06-30T13:45:00.000Z'))
    })

    it('refuses a closing date before the opening date, on closesAt', () => {
      const errors = errorsOf(check({ opensAt: '2026-07-01', closesAt: '2026-06-15' }))
      expect(Object.keys(errors)).toEqual(['closesAt'])
      expect(errors.closesAt).toBe('The closing date must come after the opening date.')
    })

    it('refuses a closing moment equal to the opening moment', () => {
      // The end of 30 June is the start of 1 July.
      expect(fields(check({ opensAt: '2026-07-01T00:00:00Z', closesAt: '2026-06-30' }))).toEqual(['closesAt'])
      expect(check({ opensAt: '2026-06-30T23:59:59Z', closesAt: '2026-06-30' }).ok).toBe(true)
    })

    it('refuses a closing date in the past, on closesAt', () => {
      const errors = errorsOf(check({ closesAt: '2026-05-09' }))
      expect(Object.keys(errors)).toEqual(['closesAt'])
      expect(errors.closesAt).toBe('The closing date must lie in the future.')
      expect(fields(check({ closesAt: now.toISOString() }))).toEqual(['closesAt'])
    })

    it('refuses a past closing date on a wave that opened even earlier', () => {
      expect(fields(check({ opensAt: '2026-04-01', closesAt: '2026-04-30' }))).toEqual(['closesAt'])
    })
  })

  describe('date formats', () => {
    for (const bad of ['tomorrow', '31/12/2026', '12/31/2026', '2026-13-01', '2026-1-5', '2026-06-01T25:00:00Z', '20260601', 'June 1, 2026']) {
      it(`refuses "${bad}" on the field it was typed in`, () => {
        const opens = errorsOf(check({ opensAt: bad }))
        expect(Object.keys(opens)).toEqual(['opensAt'])
        expect(opens.opensAt).toBe('Enter a date as yyyy-mm-dd.')
        expect(fields(check({ closesAt: bad }))).toEqual(['closesAt'])
      })
    }

    it('treats empty and missing dates as no date', () => {
      const wave = valueOf(check({ opensAt: '', closesAt: '  ' }))
      expect(wave.closesAt).toBeNull()
      expect(wave.opensAt).toEqual(now)
    })

    it('refuses a calendar day that does not exist (2026-06-31)', () => {
      expect(fields(check({ closesAt: '2026-06-31' }))).toEqual(['closesAt'])
    })
  })

  describe('template and locales', () => {
    it('refuses an unknown template on templateKey only', () => {
      const errors = errorsOf(check({ templateKey: 'no-such-template' }))
      expect(Object.keys(errors)).toEqual(['templateKey'])
      expect(errors.templateKey).toBe('Choose a template.')
      expect(fields(check({ templateKey: undefined }))).toEqual(['templateKey'])
    })

    it('offers the template locales by default', () => {
      expect(valueOf(check({ templateKey: 'english-only' })).locales).toEqual(['en'])
    })

    it('accepts a subset of the template locales, a single locale as text, and drops repeats', () => {
      expect(valueOf(check({ locales: ['de', 'en'] })).locales).toEqual(['de', 'en'])
      expect(valueOf(check({ locales: 'es' })).locales).toEqual(['es'])
      expect(valueOf(check({ locales: ['en', ' en ', 'de'] })).locales).toEqual(['en', 'de'])
    })

    it('refuses a locale the template does not have', () => {
      const errors = errorsOf(check({ templateKey: 'english-only', locales: ['en', 'de'] }))
      expect(Object.keys(errors)).toEqual(['locales'])
      expect(errors.locales).toBe('Languages must be among: en.')
      expect(fields(check({ locales: ['it'] }))).toEqual(['locales'])
    })

    it('refuses an empty list of locales', () => {
      const errors = errorsOf(check({ locales: [] }))
      expect(Object.keys(errors)).toEqual(['locales'])
      expect(errors.locales).toBe('Choose at least one language.')
    })
  })

  describe('name', () => {
    it('refuses an empty or blank name', () => {
      expect(fields(check({ name: '' }))).toEqual(['name'])
      expect(fields(check({ name: '   ' }))).toEqual(['name'])
      expect(fields(check({ name: undefined }))).toEqual(['name'])
    })

    it('accepts 100 characters and refuses 101', () => {
      expect(valueOf(check({ name: 'w'.repeat(100) })).name).toHaveLength(100)
      expect(fields(check({ name: 'w'.repeat(101) }))).toEqual(['name'])
    })
  })

  it('reports every problem of a bad form at once, each on its own field', () => {
    const checked = checkNewWave(
      { name: '', templateKey: 'nope', status: 'open', opensAt: '2026-06-01', closesAt: '2026-05-20', locales: [] },
      context,
    )
    expect(fields(checked)).toEqual(['closesAt', 'locales', 'name', 'status', 'templateKey'])
  })
})

describe('email addresses', () => {
  it('accepts exactly one plain address, trimmed, lower-cased and in NFC', () => {
    expect(emailField('  Ada.Lovelace+survey@Example.CO.UK ')).toBe('ada.lovelace+survey@example.co.uk')
    expect(emailField('jose\u0301@ejemplo.es')).toBe('jos\u00e9@ejemplo.es')
    expect(emailField("o'brien@example.ie")).toBe("o'brien@example.ie")
    expect(isEmail('müller@beispiel.de')).toBe(true)
  })

  it('refuses anything a mail program could read as another or a second address', () => {
    for (const bad of ['a,b@x.test', 'a;b@x.test', 'name<c@x.test>', 'Name <c@x.test>', '"a"@x.test', '"a b"@x.test', 'a b@x.test',
      'a@x.test\r\nBcc: b@x.test', 'a\n@x.test', 'a\t@x.test', 'a(comment)@x.test', 'a@b@x.test', 'a%b@relay.test', 'host!a@relay.test',
      'a..b@x.test', '.a@x.test', 'a.@x.test', 'a@x', 'a@x.', 'a@.x.test', 'a@-x.test', 'a@x.123', 'a@[127.0.0.1]', 'a\u3000@x.test', '',
      `${'a'.repeat(65)}@x.test`, `a@${'b'.repeat(250)}.test`]) {
      expect(emailField(bad), bad).toBe('')
    }
    expect(emailField(['a@x.test', 'b@x.test'])).toBe('')
    expect(emailField(undefined)).toBe('')
  })

  it('refuses such addresses in the setup and invitation forms with a message next to the field', () => {
    expect(errorsOf(checkSetup({ organization: 'Acme', email: 'a,b@x.test', password: PASSWORD, confirm: PASSWORD })).email)
      .toBe('Enter an email address like name@example.com.')
    expect(fields(checkInvitation({ email: 'Name <c@x.test>', role: 'viewer' }, ['viewer'], []))).toEqual(['email'])
    expect(fields(checkInvitation({ email: 'a,b@x.test', role: 'viewer' }, ['viewer'], []))).toEqual(['email'])
  })
})

describe('account forms', () => {
  const context = { email: 'ada@example.test', name: 'Ada Lovelace', organization: 'Analytical Engines' }

  it('checks a new password against the rules and the account, and the confirmation', () => {
    expect(valueOf(checkNewPassword({ password: PASSWORD, confirm: PASSWORD }, context))).toBe(PASSWORD)
    expect(fields(checkNewPassword({ password: 'Analytical Engines', confirm: 'Analytical Engines' }, context))).toEqual(['password'])
    expect(fields(checkNewPassword({ password: PASSWORD, confirm: 'other' }, context))).toEqual(['confirm'])
    expect(fields(checkNewPassword({ password: [PASSWORD, PASSWORD], confirm: PASSWORD }, context))).toEqual(['password'])
  })

  it('needs the current password, and a new one that differs from it', () => {
    expect(valueOf(checkPasswordChange({ current: 'old password here', password: PASSWORD, confirm: PASSWORD }, context))).toEqual({ current: 'old password here', password: PASSWORD })
    expect(fields(checkPasswordChange({ password: PASSWORD, confirm: PASSWORD }, context))).toEqual(['current'])
    expect(errorsOf(checkPasswordChange({ current: PASSWORD, password: PASSWORD, confirm: PASSWORD }, context)).password).toMatch(/different/)
  })

  it('takes an optional one-line name of at most 100 characters', () => {
    expect(valueOf(checkPersonName('  Ada  '))).toBe('Ada')
    expect(valueOf(checkPersonName(undefined))).toBe('')
    expect(fields(checkPersonName('x'.repeat(101)))).toEqual(['name'])
    expect(fields(checkPersonName('Ada\u0000Lovelace'))).toEqual(['name'])
  })
})
