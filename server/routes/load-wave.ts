// Load-the-wave-or-404 for every route under /waves/:id: a wave that is not the caller's
// organization's, or an id that is not even a UUID, is the same 404.
import type { FastifyRequest } from 'fastify'
import type { Db } from '../../db/connect.js'
import { notFound } from '../http-error.js'
import { findWave, type Wave } from '../repositories/waves.js'

/** The wave named by the route's :id, of the signed-in caller's organization. */
export async function loadWave(db: Db, request: Pick<FastifyRequest, 'principal'> & { params: { id: string } }): Promise<Wave> {
  const wave = await findWave(db, request.principal!.organizationId, request.params.id)
  if (!wave) throw notFound('This wave')
  return wave
}
