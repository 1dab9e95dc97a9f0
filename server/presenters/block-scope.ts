// What each block of the dashboard answers. Every block either answers the page's filters (unit and
// attributes) or says, inside the block, what it shows instead and why; the template prints the
// choice as data-answers="filter" | "other" on the block's <section data-block="…">, and the note in
// a .scope-note paragraph, so a reader and a test (test/routes/dashboard-filters.test.ts) see the same.
export type BlockScope =
  | { answers: 'filter' }
  | { answers: 'other'; note: string }

export const answersFilter: BlockScope = { answers: 'filter' }

export const answersOther = (note: string): BlockScope => ({ answers: 'other', note })
