import { describe, expect, it } from 'vitest';
import { crossWeight, F2x3, winogradTolerance, type WinogradTransforms } from '../../../genome/ops/conv/winograd.ts';
import { Rng } from '../../../lib/rng.ts';

type Matrix = number[][];
const identity = (x: number) => x;

/** L X R^T, each stage's sums rounded by `round` (Math.fround: an f32 kernel's order; identity: f64). */
function sandwich(l: readonly (readonly number[])[], x: Matrix, r: readonly (readonly number[])[], round: (x: number) => number): Matrix {
  const lx = l.map((row) => x[0]!.map((_, j) => row.reduce((sum, c, p) => round(sum + round(c * x[p]![j]!)), 0)));
  return lx.map((row) => r.map((rrow) => rrow.reduce((sum, c, q) => round(sum + round(c * row[q]!)), 0)));
}

/** A 2x2 output tile of a 3x3 correlation over channels by Winograd: A^T [sum over c of (G g_c G^T) . (B^T d_c B)] A. */
function winogradTile(t: WinogradTransforms, d: Matrix[], g: Matrix[], round: (x: number) => number): Matrix {
  const m = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
  d.forEach((dc, c) => {
    const u = sandwich(t.g, g[c]!, t.g, round);
    const v = sandwich(t.bt, dc, t.bt, round);
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) m[a]![b] = round(m[a]![b]! + round(u[a]![b]! * v[a]![b]!));
  });
  return sandwich(t.at, m, t.at, round);
}

const direct = (d: Matrix[], g: Matrix[], i: number, j: number, abs = false) =>
  d.reduce((sum, dc, c) => sum + [0, 1, 2].reduce((s, r) => s + [0, 1, 2].reduce((t, q) => t + (abs ? Math.abs(dc[i + r]![j + q]! * g[c]![r]![q]!) : dc[i + r]![j + q]! * g[c]![r]![q]!), 0), 0), 0);
const norms = (d: Matrix[], g: Matrix[], i: number, j: number) =>
  d.reduce((sum, dc, c) => sum + [0, 1, 2].reduce((s, r) => s + [0, 1, 2].reduce((t, q) => t + Math.abs(dc[i + r]![j + q]!), 0), 0) * g[c]!.flat().reduce((s, w) => s + Math.abs(w), 0), 0);

function draw(channels: number, value: () => number) {
  const grid = (n: number, m: number) => Array.from({ length: n }, () => Array.from({ length: m }, () => Math.fround(value())));
  return { d: Array.from({ length: channels }, () => grid(4, 4)), g: Array.from({ length: channels }, () => grid(3, 3)) };
}

describe('Winograd F(2x2,3x3)', () => {
  it('its transforms compute the 3x3 correlation exactly in f64', () => {
    const rng = new Rng(1);
    for (let trial = 0; trial < 20; trial++) {
      const { d, g } = draw(3, () => rng.normal());
      const y = winogradTile(F2x3, d, g, identity);
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(y[i]![j]).toBeCloseTo(direct(d, g, i, j), 12);
    }
  });

  it('one wrong constant in G does not', () => {
    const wrong = { ...F2x3, g: F2x3.g.map((row, a) => (a === 1 ? [0.5, 0.25, 0.5] : row)) };
    const { d, g } = draw(1, () => 1);
    expect(winogradTile(wrong, d, g, identity)[0]![0]).not.toBeCloseTo(direct(d, g, 0, 0), 3);
  });

  it('a product of filter tap and input weighs at most 4 in an output', () => {
    expect(crossWeight(F2x3)).toBe(4);
  });

  it('computed in f32, stays within its tolerance of the norm products, even for inputs spanning 2^-32..2^32, where an elementwise tolerance fails', () => {
    const rng = new Rng(3);
    const wide = () => (rng.chance(0.5) ? -1 : 1) * 2 ** (rng.next() * 64 - 32);
    let elementwiseBroken = false;
    for (const channels of [1, 4, 16]) {
      const tol = winogradTolerance(channels, { bias: false, activation: null, residual: false });
      for (let trial = 0; trial < 100; trial++) {
        const { d, g } = draw(channels, trial % 2 ? wide : () => rng.normal());
        const y = winogradTile(F2x3, d, g, Math.fround);
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 2; j++) {
            const err = Math.abs(y[i]![j]! - direct(d, g, i, j));
            expect(err).toBeLessThanOrEqual(tol.abs + tol.rel * norms(d, g, i, j));
            // The direct family's model: 2 (9C + 2) u of the output's own terms.
            if (err > 2 * (9 * channels + 2) * 2 ** -24 * direct(d, g, i, j, true)) elementwiseBroken = true;
          }
      }
    }
    expect(elementwiseBroken).toBe(true);
  });
});
