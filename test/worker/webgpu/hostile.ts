import type { MatmulProblem } from '../../../genome/ops/problem.ts';
import type { SourceGenome } from '../../../genome/source.ts';

/**
 * A plainly correct WGSL matmul obeying the kernel ABI (16x16 workgroups, one
 * output per thread), with hooks to splice in misbehaviour: the hostile
 * kernels of the tests are built from it.
 */
export function naiveWgsl({ shape: { m, n, k } }: MatmulProblem, hooks: { aRowStride?: string; body?: string; beforeStore?: string } = {}): string {
  return `const M = ${m}u;
const N = ${n}u;
const K = ${k}u;
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@compute @workgroup_size(16, 16, 1)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.y;
  let col = id.x;
  if (row >= M || col >= N) { return; }
  ${hooks.body ?? ''}
  var acc = 0.0;
  for (var k = 0u; k < K; k++) {
    acc += A[row * ${hooks.aRowStride ?? 'K'} + k] * B[k * N + col];
  }
  ${hooks.beforeStore ?? ''}
  C[row * N + col] = acc;
}
`;
}

export const wgslSource = (text: string): SourceGenome => ({ backend: 'webgpu', family: 'source', language: 'wgsl', text, tile: { rows: 16, cols: 16 } });

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
