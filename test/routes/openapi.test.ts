// The OpenAPI document as an integrator's tools read it: two independent validators from npm,
// swagger-parser (the OpenAPI schema and its references) and Redocly's recommended lint rules.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import SwaggerParser from '@apidevtools/swagger-parser'
import { expect, it } from 'vitest'
import { describeEachDatabase } from '../helpers/app.js'
import { openApiDocument, type OpenApiDocument } from '../helpers/openapi.js'

const REDOCLY = join(import.meta.dirname, '..', '..', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js')

interface LintProblem { ruleId: string; severity: 'error' | 'warn'; message: string; location: { pointer: string }[] }

/** `redocly lint` on the document, written to a temporary file; its problems as its JSON output lists them. */
async function redoclyLint(document: OpenApiDocument): Promise<LintProblem[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-openapi-'))
  try {
    const file = join(dir, 'openapi.json')
    writeFileSync(file, JSON.stringify(document))
    // lint exits 1 when it finds errors; the JSON report on stdout says which either way.
    const run = await promisify(execFile)(process.execPath, [REDOCLY, 'lint', file, '--format=json'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 })
      .catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }))
    return (JSON.parse(run.stdout) as { problems: LintProblem[] }).problems
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describeEachDatabase('OpenAPI document', (ctx) => {
  let document: OpenApiDocument

  it('is OpenAPI 3.1 that swagger-parser validates without an error', async () => {
    document = await openApiDocument(ctx.app)
    expect(document.openapi).toBe('3.1.0')
    // validate() throws on the first invalid document, listing every schema error in its message.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined()
  })

  it('passes redocly lint with no error and no warning', async () => {
    const problems = await redoclyLint(document)
    expect(problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([])
  }, 60_000)

  it('names every operation once, tags it with a described tag, and declares its answers', () => {
    const tags = new Set((document.tags as { name: string; description: string }[]).filter((t) => t.description).map((t) => t.name))
    const ids: string[] = []
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        ids.push(operation.operationId)
        expect(operation.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/)
        expect(operation.tags.every((tag) => tags.has(tag)), `${method} ${path}`).toBe(true)
        expect(Object.keys(operation.responses).some((code) => code.startsWith('2')), `${method} ${path}`).toBe(true)
        expect(operation.responses['401'], `${method} ${path}`).toBeDefined()
      }
    }
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(expect.arrayContaining(['listWaves', 'getWave', 'getWaveReport', 'exportWaveResponses', 'addWaveResponses', 'importContacts']))
    expect(document.servers).toEqual([{ url: ctx.config.publicUrl, description: expect.any(String) }])
    expect(document.info).toMatchObject({ license: { name: expect.any(String) } })
  })

  it('declares the shared shapes once, as components the operations refer to', () => {
    const schemas = document.components.schemas
    for (const name of ['Share', 'Gap', 'ItemResult', 'Report', 'Wave', 'Unit', 'Contact', 'Error']) expect(Object.keys(schemas), name).toContain(name)
    const text = JSON.stringify(document.paths)
    for (const name of ['Report', 'Wave', 'Unit', 'Error']) expect(text).toContain(`"$ref":"#/components/schemas/${name}"`)
    const report = schemas.Report as { required: string[] }
    expect(report.required).toEqual(expect.arrayContaining(['wave', 'minGroupSize', 'release', 'filters', 'headline', 'items', 'dimensions', 'units', 'trend', 'drivers']))
  })

  it('declares the report filters as `unit` and a documented pattern of attribute filters', () => {
    const parameters = document.paths['/api/v1/waves/{id}/report']!.get!.parameters as { name: string; in: string; style?: string; explode?: boolean; schema: { patternProperties?: Record<string, unknown> } }[]
    expect(parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['path:id', 'query:filters', 'query:unit'])
    const filters = parameters.find((p) => p.name === 'filters')!
    expect(filters).toMatchObject({ style: 'form', explode: true })
    const [pattern] = Object.keys(filters.schema.patternProperties ?? {})
    expect(new RegExp(pattern!).test('customer.tier')).toBe(true)
    expect(new RegExp(pattern!).test('tier')).toBe(false)
  })

  it('declares the CSV export as text/csv, and its errors as JSON', () => {
    const responses = document.paths['/api/v1/waves/{id}/export.csv']!.get!.responses
    expect(Object.keys(responses['200']!.content!)).toEqual(['text/csv'])
    for (const code of ['400', '401', '403', '404']) expect(Object.keys(responses[code]!.content!), code).toEqual(['application/json'])
  })
})
