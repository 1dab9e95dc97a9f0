// What is wrong with a row of an import is a "problem", and a preview or a result page writes each
// one the same way: "Line 4, easy: … ." with the spreadsheet's line (the header is line 1) and, when
// the problem belongs to one column, that column's name.

export interface RowProblem {
  /** The spreadsheet's line, or the row's number in a JSON import (1-based). */
  row: number
  /** The column's name, or '' for the row as a whole. */
  field: string
  message: string
}

export function problemText(problem: RowProblem): string {
  const message = problem.message.replace(/[.\s]+$/, '')
  return `Line ${problem.row}${problem.field ? `, ${problem.field}` : ''}: ${message}.`
}

/** How many lines have at least one problem. */
export const linesWithProblems = (problems: readonly RowProblem[]) => new Set(problems.map((problem) => problem.row)).size
