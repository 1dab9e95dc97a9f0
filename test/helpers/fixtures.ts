// Files the tests read: test/fixtures/logo.{png,jpg,webp} are one 240 × 64 logo drawn on a canvas and
// saved by Chromium's own PNG, JPEG and WebP encoders, so they are real files of each kind.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', name))
