import type { MatmulShape } from '../../ops/matmul-problem.ts';
import type { F16Kernel } from './codegen.ts';
import { perOutputWgsl } from '../per-output.ts';

/**
 * The plain f16-storage matmul every f16 candidate is timed against: a 16x16
 * workgroup, one output per thread, f32 accumulation, halves read from packed
 * words with unpack2x16float (core WGSL: it runs without shader-f16), C
 * written a half at a time.
 */
export function naiveF16Wgsl({ m, n, k }: MatmulShape): F16Kernel {
  return perOutputWgsl(
    `f16 ${m}x${n}x${k}: one output per thread, f32 accumulation`,
    { m, n, k },
    `@group(0) @binding(0) var<storage, read> A: array<u32>;
@group(0) @binding(1) var<storage, read> B: array<u32>;
@group(0) @binding(2) var<storage, read_write> C: array<atomic<u32>>;

fn half(word: u32, e: u32) -> f32 { return unpack2x16float(word)[e & 1u]; }`,
    `  var acc = 0.0;
  for (var k = 0u; k < K; k++) {
    let a = row * K + k;
    let b = k * N + col;
    acc += half(A[a >> 1u], a) * half(B[b >> 1u], b);
  }
  // Two threads' elements share each word of C: clear our half, then or our bits in.
  let e = row * N + col;
  let shift = (e & 1u) * 16u;
  atomicAnd(&C[e >> 1u], ~(0xffffu << shift));
  atomicOr(&C[e >> 1u], (pack2x16float(vec2<f32>(acc, 0.0)) & 0xffffu) << shift);`,
  );
}
