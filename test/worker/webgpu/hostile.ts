import { naiveMatmulWgsl } from '../../../genome/webgpu/baseline.ts';
import type { MatmulProblem } from '../../../genome/ops/matmul-problem.ts';
import type { SourceGenome } from '../../../genome/source.ts';

/** Replaces `anchor` in the baseline's text, loudly if the baseline no longer has it. */
function splice(text: string, anchor: string, replacement: string): string {
  if (!text.includes(anchor)) throw new Error(`the baseline WGSL no longer contains ${JSON.stringify(anchor)}`);
  return text.replace(anchor, replacement);
}

/**
 * The real baseline kernel (16x16 workgroups, one output per thread), with
 * hooks to splice in misbehaviour: the hostile kernels of the tests are built from it.
 */
export function naiveWgsl(problem: MatmulProblem, hooks: { aRowStride?: string; body?: string; beforeStore?: string } = {}): string {
  let text = naiveMatmulWgsl(problem).wgsl;
  if (hooks.body) text = splice(text, '  var acc = 0.0;', `  ${hooks.body}\n  var acc = 0.0;`);
  if (hooks.aRowStride) text = splice(text, 'A[row * K + k]', `A[row * ${hooks.aRowStride} + k]`);
  if (hooks.beforeStore) text = splice(text, '  C[row * N + col] = acc;', `  ${hooks.beforeStore}\n  C[row * N + col] = acc;`);
  return text;
}

export const wgslSource = (text: string): SourceGenome => ({ op: 'matmul', backend: 'webgpu', family: 'source', language: 'wgsl', text, tile: { rows: 16, cols: 16 } });

export const hostile = {
  /** Declares the ABI and writes nothing. */
  writesNothing: (p: MatmulProblem) => naiveWgsl(p, { body: 'return;' }),
  /** Writes only the top half of C. */
  writesHalf: (p: MatmulProblem) => naiveWgsl(p, { body: `if (row >= ${Math.ceil(p.shape.m / 2)}u) { return; }` }),
  /** Spins on a condition normal inputs never meet. */
  loopsForever: (p: MatmulProblem) =>
    naiveWgsl(p, { body: 'var spins = 0u;\n  loop {\n    spins += 1u;\n    if (A[spins % K] == 12345.678) { break; }\n    C[row * N + col] = f32(spins);\n  }' }),
  /** Walks A with a row stride one too long: the last rows read past the end of A. */
  readsOutOfBounds: (p: MatmulProblem) => naiveWgsl(p, { aRowStride: '(K + 1u)' }),
  /** Assigns a float to an i32. */
  doesNotCompile: (p: MatmulProblem) => naiveWgsl(p, { beforeStore: 'let oops: i32 = 1.5;' }),
};
