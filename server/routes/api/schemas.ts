// Schemas shared by the API routes; they validate requests, type handlers and feed the OpenAPI document.
import { Type } from 'typebox'

export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
}, { $id: 'Error', title: 'Error' })

export const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, ErrorBody]))

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

export const LocalizedText = Type.Record(Type.String(), Type.String())
