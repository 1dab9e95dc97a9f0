// The OpenAPI document as tests read it: fetched from the app, and with every
// `#/components/schemas/…` reference inlined where a test wants to look inside a shape.
import type { FastifyInstance } from 'fastify'

export type OpenApiDocument = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } } & Record<string, unknown>
export type Operation = { operationId: string; tags: string[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> } & Record<string, unknown>

export async function openApiDocument(app: FastifyInstance): Promise<OpenApiDocument> {
  const response = await app.inject({ method: 'GET', url: '/api/docs/json' })
  if (response.statusCode !== 200) throw new Error(`/api/docs/json answered ${response.statusCode}`)
  return response.json()
}

/** A copy of `node` with the document's schema references replaced by the schemas (the document has no cycles). */
export function inlined<T>(document: OpenApiDocument, node: T): T {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk)
    if (value === null || typeof value !== 'object') return value
    const ref = (value as { $ref?: unknown }).$ref
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) return walk(document.components.schemas[ref.slice('#/components/schemas/'.length)])
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, walk(child)]))
  }
  return walk(node) as T
}
