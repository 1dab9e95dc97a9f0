// Where the project's own files are: the folder holding package.json above this module. The same
// answer whether the server runs from its TypeScript sources (tsx) or from the JavaScript that
// `npm start` compiles into .build/ first.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}`)
  }
}

export const ROOT = projectRoot(import.meta.dirname)
export const VIEWS_DIR = join(ROOT, 'views')
export const PUBLIC_DIR = join(ROOT, 'public')
