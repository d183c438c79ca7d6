import type { MatmulProblem } from '../ops/matmul-problem.ts';
import type { WgslKernel } from './codegen.ts';

/**
 * The plain WGSL matmul every candidate is timed against: a 16x16 workgroup,
 * one output element per thread, A and B read straight from storage.
 */
export function naiveMatmulWgsl({ shape: { m, n, k } }: MatmulProblem): WgslKernel {
  const wgsl = `// kevo baseline matmul ${m}x${n}x${k}: one output per thread
const M = ${m}u;
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
  var acc = 0.0;
  for (var k = 0u; k < K; k++) {
    acc += A[row * K + k] * B[k * N + col];
  }
  C[row * N + col] = acc;
}
`;
  return { wgsl, workgroupSize: [16, 16, 1], tile: { rows: 16, cols: 16 } };
}
