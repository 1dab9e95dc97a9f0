// What the analytics presenters share: the words for which group an analysis answers, and the shapes
// of the charts public/dashboard.js draws for them.
import type { AnalysisScope } from '../domain/analytics/types.js'

/** Which group an analysis answers, in words. */
export function scopeText(scope: AnalysisScope): string {
  if (scope.wholeWave) return `The whole wave${scope.note ? ` (${scope.note})` : ''}`
  const parts = [
    ...(scope.unit ? [`unit ${scope.unit.name}`] : []),
    ...Object.entries(scope.staff).map(([name, value]) => `staff with ${name} ${value}`),
    ...Object.entries(scope.customer).map(([name, value]) => `customers with ${name} ${value}`),
  ]
  return parts.length === 0 ? 'The whole wave' : `For ${parts.join(' · ')}`
}

/** [value, low, high] of a 95% interval, as public/dashboard.js draws whiskers. */
export type Whisker = [number, number, number]

/** A scatter as public/dashboard.js draws it: labelled points, optional lines at the cuts and quadrant names. */
export interface ScatterSpec {
  kind: 'scatter'
  axes: { x: string; y: string }
  points: Array<{ label: string; x: number; y: number }>
  cuts: { x: number; y: number } | null
  /** Quadrant names: top left, top right, bottom left, bottom right. */
  quadrants: [string, string, string, string] | null
}

export interface WeightsSpec {
  kind: 'weights'
  labels: string[]
  weights: Whisker[]
}
