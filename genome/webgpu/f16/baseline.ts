import type { MatmulShape } from '../../ops/matmul-problem.ts';
import type { F16Kernel } from './codegen.ts';

/**
 * The plain f16-storage matmul every f16 candidate is timed against: a 16x16
 * workgroup, one output per thread, f32 accumulation, halves read from packed
 * words with unpack2x16float (core WGSL: it runs without shader-f16), C
 * written a half at a time.
 */
export function naiveF16Wgsl({ m, n, k }: MatmulShape): F16Kernel {
  const wgsl = `// kevo baseline matmul f16 ${m}x${n}x${k}: one output per thread, f32 accumulation
const M = ${m}u;
const N = ${n}u;
const K = ${k}u;

@group(0) @binding(0) var<storage, read> A: array<u32>;
@group(0) @binding(1) var<storage, read> B: array<u32>;
@group(0) @binding(2) var<storage, read_write> C: array<atomic<u32>>;

fn half(word: u32, e: u32) -> f32 { return unpack2x16float(word)[e & 1u]; }

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.y;
  let col = id.x;
  if (row >= M || col >= N) { return; }
  var acc = 0.0;
  for (var k = 0u; k < K; k++) {
    let a = row * K + k;
    let b = k * N + col;
    acc += half(A[a >> 1u], a) * half(B[b >> 1u], b);
  }
  // Two threads' elements share each word of C: clear our half, then or our bits in.
  let e = row * N + col;
  let shift = (e & 1u) * 16u;
  atomicAnd(&C[e >> 1u], ~(0xffffu << shift));
  atomicOr(&C[e >> 1u], (pack2x16float(vec2<f32>(acc, 0.0)) & 0xffffu) << shift);
}
`;
  return { wgsl, workgroupSize: [16, 16, 1], tile: { rows: 16, cols: 16 } };
}
