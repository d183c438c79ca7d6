/**
 * A 2-D transform L X R^T over v128 values (WAT expressions), from the
 * matrices alone, so a kernel's arithmetic is exactly its transform matrices
 * (genome/ops/conv/winograd.ts): stage one into locals, stage two as
 * expressions. A row's terms are added with their signs and, when every
 * nonzero coefficient has the same size c != 1 (G's halves), multiplied by c
 * once: c a power of two, that is exact.
 */
export interface Sandwich {
  /** Local declarations stage one needs. */
  readonly locals: string[];
  /** Stage one: (local.set ...) per intermediate. */
  readonly setup: string;
  /** Stage two: out[i][j] as an expression. */
  readonly out: string[][];
}

type Matrix = readonly (readonly number[])[];

export function linear(coefficients: readonly number[], terms: readonly string[]): string {
  const used = coefficients.map((c, i) => ({ c, term: terms[i]! })).filter(({ c }) => c !== 0);
  if (used.length === 0) return '(v128.const f32x4 0 0 0 0)';
  const size = Math.abs(used[0]!.c);
  const common = used.every(({ c }) => Math.abs(c) === size);
  const scaled = (c: number, term: string) => (common || Math.abs(c) === 1 ? term : `(f32x4.mul ${splat(Math.abs(c))} ${term})`);
  // A positive term first, so the sum needs no negation.
  const ordered = [...used].sort((a, b) => Number(b.c > 0) - Number(a.c > 0));
  const first = ordered[0]!;
  let sum = first.c > 0 ? scaled(first.c, first.term) : `(f32x4.neg ${scaled(first.c, first.term)})`;
  for (const { c, term } of ordered.slice(1)) sum = `(f32x4.${c > 0 ? 'add' : 'sub'} ${sum} ${scaled(c, term)})`;
  return common && size !== 1 ? `(f32x4.mul ${splat(size)} ${sum})` : sum;
}

export const splat = (c: number) => `(v128.const f32x4 ${c} ${c} ${c} ${c})`;

/** L X R^T, stage one (L X) into locals $<name>i_j. */
export function sandwich(l: Matrix, x: readonly (readonly string[])[], r: Matrix, name: string): Sandwich {
  const cols = x[0]!.length;
  const locals: string[] = [];
  const sets: string[] = [];
  for (let i = 0; i < l.length; i++)
    for (let j = 0; j < cols; j++) {
      locals.push(`(local $${name}${i}_${j} v128)`);
      sets.push(`(local.set $${name}${i}_${j} ${linear(l[i]!, x.map((row) => row[j]!))})`);
    }
  const stage = (i: number) => Array.from({ length: cols }, (_, j) => `(local.get $${name}${i}_${j})`);
  const out = l.map((_, i) => r.map((row) => linear(row, stage(i))));
  return { locals, setup: sets.join('\n'), out };
}
